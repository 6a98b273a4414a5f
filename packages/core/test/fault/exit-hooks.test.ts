import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit } from '../../src/index.js';
import { verifyPinned } from '../support/verify-pinned.js';
import { type AgentConfig, startAgent, trailRecords } from './support/agent.js';
import { CaptureServer } from './support/capture-server.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'tooltrail-fault-exit-'));

function lastRecord(dir: string): Record<string, unknown> | undefined {
  const records = trailRecords(dir);
  return records[records.length - 1];
}

describe('exit hooks (beforeExit, SIGTERM, SIGINT)', () => {
  const capture = new CaptureServer();
  beforeAll(() => capture.start());
  afterAll(() => capture.kill());

  const run = (dir: string, extra: Partial<AgentConfig> = {}) =>
    startAgent({ dir, from: 0, to: 200, strictEvery: 0, exitHooks: true, mode: 'hang', ...extra });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`flushes on ${signal} and re-raises it when tooltrail is the only listener`, async () => {
      const dir = tempDir();
      const agent = run(dir);
      await agent.waitForLine('waiting');
      agent.child.kill(signal);
      const exit = await agent.exited;
      expect(exit.signal).toBe(signal);
      expect(lastRecord(dir)).toMatchObject({ type: 'checkpoint', final: true });
      const report = await verifyPinned(dir);
      expect(report.ok).toBe(true);
      expect(report.chains[0]?.final).toBe(true);
    });
  }

  it("flushes on SIGTERM without swallowing the application's own handler", async () => {
    const dir = tempDir();
    const agent = run(dir, { userSignalHandler: true });
    await agent.waitForLine('waiting');
    agent.child.kill('SIGTERM');
    const exit = await agent.exited;
    // The application's handler ran and chose the exit code; tooltrail did not re-raise the signal.
    expect(agent.lines).toContain('user handler');
    expect(exit).toEqual({ code: 7, signal: null });
    expect(lastRecord(dir)).toMatchObject({ type: 'checkpoint', final: true });
  });

  it('flushes the trail and the log export on beforeExit when a short-lived process just ends', async () => {
    const dir = tempDir();
    const agent = run(dir, { mode: 'natural', endpoint: capture.url });
    const chain = await agent.chain;
    const exit = await agent.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(lastRecord(dir)).toMatchObject({ type: 'checkpoint', final: true });
    const shipped = capture.forChain(chain);
    expect(shipped).toHaveLength(trailRecords(dir).length);
    expect(
      shipped.some((record) => record.type === 'checkpoint' && record.line.includes('"final":true')),
    ).toBe(true);
  });
});

describe('forceFlush() and shutdown()', () => {
  it('are safe to call twice, concurrently, and in any order', async () => {
    const dir = tempDir();
    const audit = setupToolAudit({
      trail: { dir },
      register: false,
      exitHooks: false,
      onError: () => undefined,
    });
    const lookup = auditTool('lookup_order', async () => ({ status: 'shipped' }));
    await lookup();
    await Promise.all([audit.forceFlush(), audit.forceFlush()]);
    await Promise.all([audit.shutdown(), audit.shutdown(), audit.forceFlush()]);
    await audit.shutdown();
    await audit.forceFlush();
    const finals = trailRecords(dir).filter(
      (record) => record.type === 'checkpoint' && record.final === true,
    );
    expect(finals).toHaveLength(1);
    expect((await verifyPinned(dir)).ok).toBe(true);
  });
});
