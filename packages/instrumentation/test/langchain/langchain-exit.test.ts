import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTrail } from '@tooltrail/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrail, SSN_CANARY } from '../support/framework-harness.js';
import { runNodeScript } from '../support/node24.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('LangChain.js instrumentation when the process exits right after the run', () => {
  for (const script of ['agent.mjs', 'agent.cjs']) {
    it(`keeps every record though process.exit() follows the run at once (${script})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tooltrail-langchain-exit-'));
      dirs.push(dir);
      const callbackLog = join(dir, 'callback.log');
      const run = await runNodeScript(
        process.execPath,
        fileURLToPath(new URL(`../fixtures/langchain-exit/${script}`, import.meta.url)),
        { env: { TOOLTRAIL_DIR: dir, CALLBACK_LOG: callbackLog }, timeoutMillis: 30_000 },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
        enabled: ['@langchain/core@1.4.0'],
      });

      const records = readTrail(dir).filter((record) => record.type === 'tool_call');
      expect(records.map((record) => record.call_id).sort()).toEqual(['exit-1', 'exit-2']);
      for (const record of records)
        expect(record).toMatchObject({ tool: 'lookup_patient', success: true, conversation: 'exit-thread' });
      expect(JSON.stringify(records)).not.toContain(SSN_CANARY);
      // No shutdown ran, so there is no final checkpoint: the verifier says exactly that (the records after the
      // genesis checkpoint are unprotected, the chain unfinished) and nothing else — hashes, links, seq intact.
      const report = await verifyTrail(dir, {
        publicKeys: [readFileSync(join(dir, 'keys/signing-key.pub.pem'), 'utf8')],
      });
      expect(report.problems.map((problem) => problem.kind).sort()).toEqual(['unfinished', 'unprotected']);
      // LangChain's own (background) callback handler lost its tool_end events in the same run.
      expect(existsSync(callbackLog) ? readFileSync(callbackLog, 'utf8') : '').toBe('');
    });
  }
});
