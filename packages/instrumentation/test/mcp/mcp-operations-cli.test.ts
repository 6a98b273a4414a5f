import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_DIR } from '../support/framework-harness.js';
import { MCP_V2_LATEST } from '../support/mcp-app.js';
import { runOperations } from '../support/mcp-operations-app.js';
import { runNode } from '../support/run-node.js';

const CLI = resolve(PACKAGE_DIR, '../cli/dist/bin.js');

describe('MCP operation records read by the CLI (both sides of a two-process stdio run)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('the access report lists each resource access to the patient once; the timeline shows each operation once', async () => {
    const run = await runOperations(MCP_V2_LATEST, 2, 'stdio', cleanups);
    const sources = [run.clientTrailDir, run.serverTrailDir];
    const trust = sources.flatMap((dir) => ['--public-key', join(dir, 'keys', 'signing-key.pub.pem')]);
    const cli = async (args: string[]) => {
      const result = await runNode([CLI, ...args, ...trust], {
        cwd: run.clientTrailDir,
        env: { TOOLTRAIL_DIR: '' },
      });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as unknown;
    };
    const range = ['--from', '2000-01-01', '--to', '2999-12-31'];
    const report = (await cli([
      'report',
      'access',
      '--subject',
      'patient:P-123',
      ...range,
      '--format',
      'json',
      ...sources.flatMap((dir) => ['--source', dir]),
    ])) as {
      total_accesses: number;
      integrity_verified: boolean;
      accesses: { tool: string; accessed_by: string }[];
    };
    expect(report.integrity_verified).toBe(true);
    expect(report.accesses.map((access) => [access.tool, access.accessed_by]).sort()).toEqual([
      ['notifications/resources/updated', 'dr-house'],
      ['resources/read', 'dr-house'],
      ['resources/subscribe', 'dr-house'],
    ]);
    const timeline = (await cli(['timeline', 'conv-1', ...sources, '--json'])) as Record<string, unknown>[];
    expect(timeline.map((record) => record.operation ?? `tools/call ${String(record.tool)}`).sort()).toEqual([
      'elicitation/create',
      'notifications/resources/updated',
      'prompts/get',
      'resources/read',
      'resources/subscribe',
      'sampling/createMessage',
      'tools/call ask_model',
      'tools/call chart_status',
    ]);
  }, 60_000);
});
