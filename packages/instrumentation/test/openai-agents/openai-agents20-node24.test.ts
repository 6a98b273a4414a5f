import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTrail } from '@tooltrail/core';
import { afterAll, describe, expect, it } from 'vitest';
import { appDirWithPackage, readTrail, SSN_CANARY, startOtlpCapture } from '../support/framework-harness.js';
import { node24OrSkip, runWithNode24 } from '../support/node24.js';

const fixture = fileURLToPath(new URL('../fixtures/openai-agents20/agent.mjs', import.meta.url));
const { skip } = node24OrSkip();
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(skip)('OpenAI Agents SDK 0.20 instrumentation under Node 24', () => {
  it('records all 1,200 function calls (4 turns of 300 parallel calls), with group, turn and model', async () => {
    const capture = await startOtlpCapture();
    cleanups.push(capture.close);
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-agents20-'));
    cleanups.push(() => rmSync(trailDir, { recursive: true, force: true }));

    const appDir = appDirWithPackage('@openai/agents', 'openai-agents20');
    cleanups.push(() => rmSync(appDir, { recursive: true, force: true }));
    const run = await runWithNode24(fixture, {
      env: { TOOLTRAIL_DIR: trailDir, APP_DIR: appDir, OTEL_EXPORTER_OTLP_ENDPOINT: capture.endpoint },
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(summary).toMatchObject({ enabled: ['@openai/agents@0.20.0'], output: 'done' });
    expect(summary.node).toMatch(/^v24\./);

    const records = readTrail(trailDir).filter((record) => record.type === 'tool_call');
    expect(records).toHaveLength(1200);
    expect(new Set(records.map((record) => (record.args as { patientId: string }).patientId)).size).toBe(
      1200,
    );
    expect(records[0]).toMatchObject({
      tool: 'lookup_patient',
      success: true,
      user: 'dr-24',
      conversation: 'conv-agents-20',
      turn: 1,
      model: 'scripted-model-20',
    });
    expect(records.at(-1)).toMatchObject({ turn: 4, trigger: 'follow_up' });
    // The key the run generated beside the trail, pinned: the chain and its signatures check out.
    expect(
      (
        await verifyTrail(trailDir, {
          publicKeys: [readFileSync(join(trailDir, 'keys/signing-key.pub.pem'), 'utf8')],
        })
      ).ok,
    ).toBe(true);
    expect(JSON.stringify(records).includes(SSN_CANARY)).toBe(false);
    expect(Buffer.concat(capture.bodies).includes(SSN_CANARY)).toBe(false);
    expect(Buffer.concat(capture.bodies).includes('lookup_patient')).toBe(true);
  });
});
