import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/make-trail.js';
import { verifyPinned } from './support/verify-pinned.js';

const examples = resolve(import.meta.dirname, '../../../examples');

describe('examples/node-sdk', () => {
  it('audits a tool call inside NodeSDK, redacting the span the console exporter prints', async () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, TOOLTRAIL_DIR: dir };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const out = execFileSync(process.execPath, [join(examples, 'node-sdk/index.mjs')], {
      env,
      encoding: 'utf8',
    });
    expect(out).toContain("name: 'execute_tool update_order_status'");
    expect(out).toContain('[REDACTED:email]');
    expect(out).not.toContain('jane.roe@example.org');
    const file = readdirSync(dir).find((name) => name.endsWith('.jsonl'))!;
    const [genesis, record] = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .map((line) => (line ? JSON.parse(line) : null));
    // The chain's signed genesis checkpoint, then the call.
    expect(genesis).toMatchObject({ type: 'checkpoint', seq: 0, genesis: true });
    expect(record).toMatchObject({
      type: 'tool_call',
      seq: 1,
      tool: 'update_order_status',
      user: 'usr_98765',
      turn: 3,
      model: 'gpt-4.1',
    });
    expect((await verifyPinned(dir)).ok).toBe(true);
  });
});
