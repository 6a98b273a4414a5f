import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { verifyTrail } from '@tooltrail/core';
import { describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.js';
import { readTrail, toolCalls } from '../support/trail.js';

const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../examples/medical-assistant/src');

describe('demo, MCP mode', () => {
  it('audits the scripted assistant on both sides of a real MCP stdio pair with no tooltrail code', async () => {
    for (const file of ['mcp/agent.mjs', 'mcp/records-server.mjs']) {
      const code = readFileSync(join(DEMO, file), 'utf8')
        .split('\n')
        .filter((line) => !line.trimStart().startsWith('//'))
        .join('\n');
      expect(code).not.toMatch(/auditTool|setupToolAudit|@tooltrail/);
    }
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-demo-mcp-'));
    const { loadDemoKeys } = (await import(pathToFileURL(join(DEMO, 'demo-keys.mjs')).href)) as {
      loadDemoKeys: (dir: string) => { publicKeyPath: string };
    };
    const keys = loadDemoKeys(trailDir);
    const run = await runNode(
      ['--import', '@tooltrail/instrumentation/register', join(DEMO, 'mcp/agent.mjs')],
      {
        cwd: resolve(DEMO, '..'),
        timeoutMs: 30_000,
        env: {
          TOOLTRAIL_DIR: trailDir,
          TOOLTRAIL_SIGNING_KEY_FILE: join(trailDir, 'keys', 'signing-key.pem'),
          TOOLTRAIL_PSEUDONYM_KEY_FILE: join(trailDir, 'keys', 'pseudonym.key'),
          DEMO_RUN_ID: 'test',
        },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const records = toolCalls(trailDir);
    const agent = records.filter((record) => record.mcp_server === 'medical-records');
    const server = records.filter((record) => record.mcp_client === 'medical-assistant');
    expect(agent).toHaveLength(11);
    expect(server).toHaveLength(11);
    // Every server-side record names the user who asked, and shares its trace with the agent-side record.
    const byTrace = new Map(agent.map((record) => [record.trace_id, record]));
    for (const record of server) {
      const caller = byTrace.get(record.trace_id);
      expect(caller).toBeDefined();
      expect([record.tool, record.user, record.conversation, record.turn, record.trigger]).toEqual([
        caller!.tool,
        caller!.user,
        caller!.conversation,
        caller!.turn,
        caller!.trigger,
      ]);
    }
    expect(new Set(server.map((record) => record.user))).toEqual(
      new Set(['dr_chen', 'nurse_ortiz', 'billing_kim', 'dr_patel']),
    );
    expect(server.map((record) => record.trigger)).toEqual(
      expect.arrayContaining(['retry', 'follow_up', 'proactive']),
    );
    expect(server.filter((record) => record.emergency === true).map((record) => record.user)).toEqual([
      'dr_patel',
    ]);

    const { PII_CANARIES } = (await import(pathToFileURL(join(DEMO, 'records-db.mjs')).href)) as {
      PII_CANARIES: string[];
    };
    const text = readTrail(trailDir).text;
    for (const canary of PII_CANARIES) expect(text).not.toContain(canary);
    const report = await verifyTrail(trailDir, { publicKeys: [readFileSync(keys.publicKeyPath, 'utf8')] });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
