import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTrail } from '@tooltrail/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CARD_CANARY, readTrail, SSN_CANARY, startOtlpCapture } from '../support/framework-harness.js';
import { node24OrSkip, runWithNode24 } from '../support/node24.js';

const fixture = fileURLToPath(new URL('../fixtures/ai7/agent.mjs', import.meta.url));
const { skip } = node24OrSkip();
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(skip)('AI SDK 7 instrumentation under Node 24 (generateText + MockLanguageModelV4)', () => {
  it('records the same multi-step loop as on 6.x: parallel, failing, retried, follow-up, not executed, invalid', async () => {
    const capture = await startOtlpCapture();
    cleanups.push(capture.close);
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-ai7-'));
    cleanups.push(() => rmSync(trailDir, { recursive: true, force: true }));

    const run = await runWithNode24(fixture, {
      env: { TOOLTRAIL_DIR: trailDir, OTEL_EXPORTER_OTLP_ENDPOINT: capture.endpoint },
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(summary).toMatchObject({ enabled: ['ai@6.0.325'], steps: 3 });
    expect(summary.node).toMatch(/^v24\./);

    // The key the run generated beside the trail, pinned: the chain and its signatures check out.
    expect(
      (
        await verifyTrail(trailDir, {
          publicKeys: [readFileSync(join(trailDir, 'keys/signing-key.pub.pem'), 'utf8')],
        })
      ).ok,
    ).toBe(true);
    const records = readTrail(trailDir).filter((record) => record.type === 'tool_call');
    const byId = new Map(records.map((record) => [record.call_id, record]));
    expect([...byId.keys()].sort()).toEqual([
      'call-0',
      'call-1',
      'call-2',
      'call-3',
      'call-4',
      'call-5',
      'call-6',
    ]);
    expect(byId.get('call-1')).toMatchObject({
      tool: 'lookup_patient',
      success: true,
      model: 'mock-clinical-7',
      user: 'dr-house',
      conversation: 'conv-42',
      trigger: 'user_request',
      result: { id: 'P-1' },
    });
    expect(byId.get('call-1')?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(byId.get('call-3')).toMatchObject({
      tool: 'charge_card',
      success: false,
      error: { type: 'Error' },
    });
    expect(byId.get('call-4')).toMatchObject({ tool: 'charge_card', success: true, trigger: 'retry' });
    expect(byId.get('call-5')).toMatchObject({ success: true, trigger: 'follow_up' });
    expect(byId.get('call-6')).toMatchObject({
      tool: 'confirm_with_user',
      success: false,
      executed: false,
      not_executed_reason: 'no_execute',
      error: { type: 'not_executed' },
      trigger: 'follow_up',
    });
    expect(byId.get('call-0')).toMatchObject({ success: false, not_executed_reason: 'invalid_call' });

    const otlp = Buffer.concat(capture.bodies);
    expect(otlp.includes('charge_card')).toBe(true);
    const trailText = JSON.stringify(records);
    for (const canary of [SSN_CANARY, CARD_CANARY, CARD_CANARY.replaceAll(' ', '')]) {
      expect(trailText.includes(canary)).toBe(false);
      expect(otlp.includes(canary)).toBe(false);
    }
  });
});
