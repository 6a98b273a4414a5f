/**
 * The AI SDK's own telemetry (`experimental_telemetry`) puts the prompt, the model's answer, tool calls and tool
 * results on its spans as JSON text: with tooltrail's processor first, none of the canaries may reach the OTLP
 * bytes or the trail, in any reading a reader could decode.
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
const PII = 'SSN 512-44-7788, mail carol.canary@example.net, card 4539 1488 0343 6467, tel +44 20 7946 0321';
const NEEDLES = ['carol.canary', '512447788', '4539148803436467', '442079460321'];

describe('the AI SDK’s own telemetry spans', () => {
  let harness: Harness;
  const instrumentation = new AiSdkInstrumentation();
  beforeAll(async () => {
    harness = await startHarness('ai-telemetry-pii');
    await instrumentation.enable(enableContext());
  });
  afterAll(async () => {
    instrumentation.disable();
    await harness.cleanup();
  });

  it('carry no canary from the prompt, the answer, tool arguments, results and errors', async () => {
    let turn = 0;
    const model = new MockLanguageModelV3({
      modelId: 'mock-1',
      doGenerate: async () =>
        turn++ === 0
          ? {
              content: [
                {
                  type: 'tool-call',
                  toolCallId: 'c-1',
                  toolName: 'note',
                  input: JSON.stringify({ text: PII }),
                },
                {
                  type: 'tool-call',
                  toolCallId: 'c-2',
                  toolName: 'fail',
                  input: JSON.stringify({ text: PII }),
                },
              ],
              finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
              usage,
              warnings: [],
            }
          : {
              content: [{ type: 'text', text: `Done: ${PII}` }],
              finishReason: { unified: 'stop', raw: 'stop' },
              usage,
              warnings: [],
            },
    });
    const tools = {
      note: tool({
        inputSchema: z.object({ text: z.string() }),
        execute: async ({ text }) => ({ saved: text }),
      }),
      fail: tool({
        inputSchema: z.object({ text: z.string() }),
        execute: async ({ text }): Promise<string> => {
          throw new Error(`rejected: ${text}`);
        },
      }),
    };
    await withAuditContext({ userId: 'dr-house' }, () =>
      generateText({
        model,
        system: `You assist. ${PII}`,
        prompt: `Please file: ${PII}`,
        tools,
        stopWhen: stepCountIs(3),
        experimental_telemetry: { isEnabled: true, functionId: 'file-note', metadata: { contact: PII } },
      }),
    );
    const { records, trailText, otlp } = await harness.finish();
    expect(records.length).toBeGreaterThanOrEqual(2);
    const leaked = (text: string) => NEEDLES.filter((n) => readings(text).some((r) => r.includes(n)));
    expect(otlp.includes('ai.generateText')).toBe(true);
    expect(leaked(otlp.toString('latin1'))).toEqual([]);
    expect(leaked(trailText)).toEqual([]);
  });
});
