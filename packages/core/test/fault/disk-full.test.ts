import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeterProvider } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  AuditUnavailableError,
  auditTool,
  generateSigningKeyPair,
  setupToolAudit,
  verifyTrail,
} from '../../src/index.js';
import { AUDIT_METRICS } from '../../src/internal/audit-metrics.js';
import { segmentFileName } from '../../src/trail/segment-name.js';
import { verifyPinned } from '../support/verify-pinned.js';
import { startAgent, trailRecords } from './support/agent.js';

/** A MeterProvider that records the observable instruments and collects them on demand. */
function recordingMeterProvider(): { provider: MeterProvider; collect(): Map<string, number> } {
  const callbacks: Array<(result: { observe(instrument: { name: string }, value: number): void }) => void> =
    [];
  const instrument = (name: string) => ({ name, addCallback() {}, removeCallback() {} });
  const meter = {
    createObservableCounter: instrument,
    createObservableUpDownCounter: instrument,
    addBatchObservableCallback: (callback: (typeof callbacks)[number]) => callbacks.push(callback),
  };
  return {
    provider: { getMeter: () => meter } as unknown as MeterProvider,
    collect() {
      const values = new Map<string, number>();
      for (const callback of callbacks) callback({ observe: (i, value) => values.set(i.name, value) });
      return values;
    },
  };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'tooltrail-fault-disk-'));

describe('trail writes failing (disk full, unwritable directory)', () => {
  it('default mode keeps the agent working, counts and exposes the loss, logs it once, and the verifier sees the gap', async () => {
    const dir = tempDir();
    const metrics = recordingMeterProvider();
    const reported: string[] = [];
    const keys = generateSigningKeyPair();
    const audit = setupToolAudit({
      trail: { dir, maxFileBytes: 16_000 },
      register: false,
      exitHooks: false,
      signingKey: { privateKey: keys.privateKeyPem },
      checkpoints: { everyRecords: 100_000 },
      meterProvider: metrics.provider,
      onError: (error) => reported.push(String((error as Error).message)),
    });
    // The next segment cannot be created (a directory is in its way): every write fails until it is removed.
    const blocked = join(dir, segmentFileName(audit.chainId, 1));
    mkdirSync(blocked);
    const lookup = auditTool('lookup_order', async (args: { i: number }) => ({ order_id: `ORD-${args.i}` }));
    let i = 0;
    while (audit.stats().lost === 0) expect(await lookup({ i: i++ })).toEqual({ order_id: `ORD-${i - 1}` });
    for (let k = 0; k < 49; k++) expect(await lookup({ i: i++ })).toEqual({ order_id: `ORD-${i - 1}` });
    rmdirSync(blocked);
    for (let k = 0; k < 20; k++) await lookup({ i: i++ });
    const stats = audit.stats();
    expect(stats.lost).toBe(50);
    expect(stats.errors.trail_write).toBe(50);
    expect(reported.filter((message) => message.includes('could not write to the local trail'))).toHaveLength(
      1,
    );
    expect(metrics.collect().get(AUDIT_METRICS.lost)).toBe(50);
    expect(metrics.collect().get(AUDIT_METRICS.records)).toBe(stats.records);

    // Shut down first (the final checkpoint signs the records after the gap), with the configured key pinned.
    await audit.shutdown();
    const report = await verifyTrail(dir, { publicKeys: [keys.publicKeyPem] });
    expect(report.problems.map((problem) => problem.kind)).toEqual(['gap']);
    expect(report.problems[0]?.message).toMatch(/records \d+\.\.\d+ are missing/);
    const [from, to] = report.problems[0]!.message.match(/\d+/g)!.map(Number);
    expect(to! - from! + 1).toBe(50);
    expect(report.chains[0]).toMatchObject({ final: true, unprotected: 0 });
  });

  it('strict mode refuses with AuditUnavailableError and executes nothing while the trail cannot be written', async () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    const audit = setupToolAudit({
      trail: { dir: join(file, 'trail') },
      register: false,
      exitHooks: false,
      signingKey: { privateKey: generateSigningKeyPair().privateKeyPem },
      onError: () => undefined,
    });
    let executed = 0;
    const refund = auditTool(
      'refund_order',
      async (args: { amount: number }) => {
        executed++;
        return { refunded: args.amount };
      },
      { strict: true },
    );
    const refundSync = auditTool(
      'refund_order_sync',
      (args: { amount: number }) => {
        executed++;
        return { refunded: args.amount };
      },
      { strict: true },
    );
    const lookup = auditTool('lookup_order', async () => ({ status: 'shipped' }));

    const error = await refund({ amount: 10 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuditUnavailableError);
    expect((error as AuditUnavailableError).reason).toBe('write_failed');
    expect((error as AuditUnavailableError).tool).toBe('refund_order');
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
    expect(() => refundSync({ amount: 10 })).toThrow(AuditUnavailableError);
    expect(executed).toBe(0);
    // Default-mode tools keep working on the same setup; the loss is counted.
    expect(await lookup()).toEqual({ status: 'shipped' });
    const stats = audit.stats();
    expect(stats.strictRefused).toBe(2);
    expect(stats.lost).toBeGreaterThan(0);
    await audit.shutdown();
  });

  it('without a configured signing key, a trail directory that cannot be created does not make the setup throw', async () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    let audit: ReturnType<typeof setupToolAudit> | undefined;
    // The default: no key configured, so the key would be generated in <trail>/keys, which cannot be made either.
    expect(() => {
      audit = setupToolAudit({
        trail: { dir: join(file, 'trail') },
        register: false,
        exitHooks: false,
        onError: () => undefined,
      });
    }).not.toThrow();
    const lookup = auditTool('lookup_order', async () => ({ status: 'shipped' }));
    expect(await lookup()).toEqual({ status: 'shipped' });
    expect(audit!.stats().lost).toBeGreaterThan(0);
    expect(audit!.stats().errors).toMatchObject({ trail_dir: 1, signing_key_in_memory: 1 });
    await audit!.shutdown();
  });

  it('with a full disk (file size limit) in a child process: default calls all return, strict calls are refused', async () => {
    const dir = tempDir();
    // ulimit -f: writes past 256 KiB fail with EFBIG, as writes to a full disk fail with ENOSPC.
    const agent = startAgent({ dir, from: 0, to: 1_500, strictEvery: 10 }, {}, 'ulimit -f 256');
    const exit = await agent.exited;
    expect(agent.stderr).toBe('');
    expect(exit.code).toBe(0);
    const stats = agent.stats as {
      lost: number;
      records: number;
      strictRefused: number;
      strictExecuted: number;
    };
    const strictCalls = 150;
    expect(agent.refused.length).toBeGreaterThan(0);
    expect(agent.refused.every((i) => i % 10 === 0)).toBe(true);
    expect(agent.returned.length + agent.refused.length).toBe(1_500);
    expect(stats.strictRefused).toBe(agent.refused.length);
    expect(stats.strictExecuted).toBe(strictCalls - agent.refused.length);
    expect(stats.lost).toBeGreaterThan(0);
    // No torn line: what was written verifies; lost records are gaps (short records may still fit in the
    // last bytes), never corrupt lines. The checkpoints after the disk filled up, the final one included, were
    // lost too: with the key pinned, the records after the last written checkpoint are \`unprotected\` and the
    // chain \`unfinished\` — problems, as for a crash.
    const report = await verifyPinned(dir);
    const allowed = ['gap', 'open_call', 'unprotected', 'unfinished'];
    expect(report.problems.filter((problem) => !allowed.includes(problem.kind))).toEqual([]);
    const written = trailRecords(dir);
    expect(written.length + stats.lost).toBe(stats.records);
    // (A final checkpoint is shorter than most records: should it still fit in the last bytes, the chain is finished.)
    const last = written.at(-1)!;
    const finished = last.type === 'checkpoint' && last.final === true;
    expect(report.problems.filter((problem) => problem.kind === 'unfinished')).toHaveLength(finished ? 0 : 1);
    const chain = report.chains[0]!;
    expect(chain.unprotected).toBe(chain.lastSeq - (chain.protectedTo ?? -1));
    expect(report.problems.some((problem) => problem.kind === 'unprotected')).toBe(chain.unprotected > 0);
  }, 30_000);
});
