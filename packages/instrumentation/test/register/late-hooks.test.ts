import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MeterProvider, metrics, type ObservableResult } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { LATE_HOOKS_METRIC, lateHooks } from '../../src/internal/late-hooks.js';
import { registerToolInstrumentations } from '../../src/register-tool-instrumentations.js';
import { PACKAGE_DIR } from '../support/framework-harness.js';
import { createMcpApp, MCP_V1_LATEST } from '../support/mcp-app.js';
import { runNode } from '../support/run-node.js';
import { toolCalls } from '../support/trail.js';

type Callback = (result: ObservableResult) => void;

/** A MeterProvider that keeps the callbacks of the observable counters created on it. */
function recordingMeterProvider(): { provider: MeterProvider; read(name: string): unknown[][] } {
  const callbacks = new Map<string, Callback[]>();
  const meter = {
    createObservableCounter: (name: string) => ({
      addCallback: (callback: Callback) => callbacks.set(name, [...(callbacks.get(name) ?? []), callback]),
      removeCallback: () => undefined,
    }),
  };
  const provider = { getMeter: () => meter } as unknown as MeterProvider;
  const read = (name: string) => {
    const observed: unknown[][] = [];
    for (const callback of callbacks.get(name) ?? [])
      callback({ observe: (...args: unknown[]) => observed.push(args) } as ObservableResult);
    return observed;
  };
  return { provider, read };
}

const app = createMcpApp(MCP_V1_LATEST, 'esm');
afterAll(() => rmSync(app.dir, { recursive: true, force: true }));

describe('a target loaded before tooltrail hooked it', () => {
  it('is said once (one log line per copy) and counted in the late-hooks metric', async () => {
    const meters = recordingMeterProvider();
    metrics.setGlobalMeterProvider(meters.provider);
    // The application required the MCP server before registering the instrumentations.
    createRequire(join(PACKAGE_DIR, 'package.json'))('@modelcontextprotocol/sdk/server/index.js');
    const lines: string[] = [];
    const options = {
      include: ['mcp' as const],
      resolveFrom: PACKAGE_DIR,
      log: (line: string) => lines.push(line),
    };
    await registerToolInstrumentations(options);
    await registerToolInstrumentations(options);

    const late = lines.filter((line) => line.includes('was loaded before tooltrail hooked it'));
    expect(late).toHaveLength(1);
    expect(late[0]).toMatch(/^tooltrail: @modelcontextprotocol\/sdk@1\.32\.2 \(require\)/);
    expect(lateHooks()).toEqual([{ package: '@modelcontextprotocol/sdk@1.32.2', loader: 'require' }]);
    expect(meters.read(LATE_HOOKS_METRIC)).toEqual([
      [1, { 'tooltrail.package': '@modelcontextprotocol/sdk@1.32.2', 'tooltrail.loader': 'require' }],
    ]);
  });

  it('-r on a Node without require(esm): the ES module copies are hooked late and a warning says so', async () => {
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-late-'));
    const serverTrailDir = mkdtempSync(join(tmpdir(), 'tooltrail-late-server-'));
    try {
      const run = await runNode(
        ['--no-experimental-require-module', '-r', '@tooltrail/instrumentation/register', app.entry],
        {
          cwd: app.dir,
          env: { TOOLTRAIL_DIR: trailDir, SERVER_TRAIL_DIR: serverTrailDir, MCP_TRANSPORT: 'stdio' },
        },
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        'tooltrail: @modelcontextprotocol/sdk@1.32.2 (import) could only be hooked after the application started',
      );
      expect(toolCalls(trailDir)).toHaveLength(2);
    } finally {
      rmSync(trailDir, { recursive: true, force: true });
      rmSync(serverTrailDir, { recursive: true, force: true });
    }
  });
});
