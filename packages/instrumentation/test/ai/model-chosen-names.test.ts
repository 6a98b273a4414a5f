/**
 * A tool name the model made up (an unknown tool, e.g. after a prompt injection) is no name the integrator chose:
 * the AI SDK reports it as an invalid call, and tooltrail records it as requested but not executed. Personal data
 * in that name must not reach the trail or the OTLP bytes. Leaked before the fix (the name was stored as given).
 */
import { withAuditContext } from '@tooltrail/core';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readings } from '../../../core/test/pii/leaks.js';
import { AiSdkInstrumentation } from '../../src/ai/ai-sdk-instrumentation.js';
import { enableContext, type Harness, startHarness } from '../support/framework-harness.js';

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};
const NEEDLES = ['carol.canary', '512447788'];

describe('a tool name the model chose', () => {
  let harness: Harness;
  const instrumentation = new AiSdkInstrumentation();
  beforeAll(async () => {
    harness = await startHarness('ai-model-chosen-names');
    await instrumentation.enable(enableContext());
  });
  afterAll(async () => {
    instrumentation.disable();
    await harness.cleanup();
  });

  it('records an unknown tool the model requested without the personal data in its name', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'mock-1',
      doGenerate: async () => ({
        content: [
          { type: 'tool-call', toolCallId: 'c-1', toolName: 'mail_carol.canary@example.net', input: '{}' },
          { type: 'tool-call', toolCallId: 'c-2', toolName: 'chart_512-44-7788', input: '{}' },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      }),
    });
    const tools = {
      lookup_patient: tool({ inputSchema: z.object({ id: z.string() }), execute: async () => 'ok' }),
    };
    await withAuditContext({ userId: 'dr-house' }, () =>
      generateText({ model, prompt: 'hi', tools, stopWhen: stepCountIs(1) }),
    );
    const { records, trailText, otlp } = await harness.finish();
    expect(records.map((record) => record.not_executed_reason)).toEqual(['invalid_call', 'invalid_call']);
    const leaked = (text: string) => NEEDLES.filter((n) => readings(text).some((r) => r.includes(n)));
    expect(leaked(trailText)).toEqual([]);
    expect(leaked(otlp.toString('latin1'))).toEqual([]);
    expect(records.map((record) => record.tool)).toEqual(['[REDACTED:email]', 'chart_[REDACTED:ssn]']);
  });
});
