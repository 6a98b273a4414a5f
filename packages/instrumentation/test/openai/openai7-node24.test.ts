import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTrail } from '@tooltrail/core';
import { afterAll, describe, expect, it } from 'vitest';
import { appDirWithPackage, readTrail, SSN_CANARY, startOtlpCapture } from '../support/framework-harness.js';
import { node24OrSkip, runWithNode24 } from '../support/node24.js';
import { startChatServer } from './chat-server.js';

const fixture = fileURLToPath(new URL('../fixtures/openai7/agent.mjs', import.meta.url));
const { skip } = node24OrSkip();
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(skip)('OpenAI SDK 7 instrumentation under Node 24 (runTools against 127.0.0.1)', () => {
  it('records parallel function calls with model and tool call ids, redacted, in a chain that verifies', async () => {
    const chat = await startChatServer([
      [
        { id: 'call_7a', name: 'lookup_patient', arguments: { patientId: 'P-1', ssn: SSN_CANARY } },
        { id: 'call_7b', name: 'lookup_patient', arguments: { patientId: 'P-2' } },
      ],
      'Both checked.',
    ]);
    cleanups.push(chat.close);
    const capture = await startOtlpCapture();
    cleanups.push(capture.close);
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-openai7-'));
    cleanups.push(() => rmSync(trailDir, { recursive: true, force: true }));

    const appDir = appDirWithPackage('openai', 'openai7');
    cleanups.push(() => rmSync(appDir, { recursive: true, force: true }));
    const run = await runWithNode24(fixture, {
      env: {
        TOOLTRAIL_DIR: trailDir,
        APP_DIR: appDir,
        CHAT_BASE_URL: chat.baseURL,
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.endpoint,
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(summary).toMatchObject({ enabled: ['openai@7.57.0'], answer: 'Both checked.' });
    expect(summary.node).toMatch(/^v24\./);

    const records = readTrail(trailDir).filter((record) => record.type === 'tool_call');
    expect(records.map((record) => record.call_id).sort()).toEqual(['call_7a', 'call_7b']);
    expect(records[0]).toMatchObject({
      tool: 'lookup_patient',
      success: true,
      model: 'gpt-test-7',
      user: 'clerk-7',
    });
    // The key the run generated beside the trail, pinned: the chain and its signatures check out.
    expect(
      (
        await verifyTrail(trailDir, {
          publicKeys: [readFileSync(join(trailDir, 'keys/signing-key.pub.pem'), 'utf8')],
        })
      ).ok,
    ).toBe(true);
    const bytes = Buffer.concat([Buffer.from(JSON.stringify(records)), ...capture.bodies]);
    expect(bytes.includes(SSN_CANARY)).toBe(false);
    expect(Buffer.concat(capture.bodies).includes('lookup_patient')).toBe(true);
  });
});
