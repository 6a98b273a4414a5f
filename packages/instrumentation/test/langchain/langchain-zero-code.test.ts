import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTrail } from '@tooltrail/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrail, SSN_CANARY } from '../support/framework-harness.js';
import { runNodeScript } from '../support/node24.js';

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));
const fixture = (file: string) =>
  fileURLToPath(new URL(`../fixtures/langchain-zero-code/${file}`, import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('LangChain.js zero-code start (no tooltrail code in the agent)', () => {
  const cases = [
    { script: 'agent.mjs', nodeArgs: ['--import', dist('register.js')] },
    { script: 'agent.cjs', nodeArgs: ['-r', dist('register.cjs')] },
  ];
  for (const { script, nodeArgs } of cases) {
    it(`records the agent's tool call with ${nodeArgs[0]} (${script})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tooltrail-langchain-zero-'));
      dirs.push(dir);
      const run = await runNodeScript(process.execPath, fixture(script), {
        nodeArgs,
        env: { TOOLTRAIL_DIR: dir, TOOLTRAIL_INSTRUMENTATIONS: 'langchain' },
        timeoutMillis: 30_000,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ answer: 'done' });
      const records = readTrail(dir).filter((record) => record.type === 'tool_call');
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        tool: 'lookup_patient',
        call_id: 'zero-1',
        success: true,
        conversation: 'zero-thread',
        args: { patientId: 'P-1', ssn: '[REDACTED:ssn]' },
      });
      expect(JSON.stringify(records)).not.toContain(SSN_CANARY);
      // The key the run generated beside the trail, pinned: the chain and its signatures check out.
      const report = await verifyTrail(dir, {
        publicKeys: [readFileSync(join(dir, 'keys/signing-key.pub.pem'), 'utf8')],
      });
      expect(report.ok).toBe(true);
    });
  }
});
