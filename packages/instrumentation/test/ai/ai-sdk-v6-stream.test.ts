import { withAuditContext } from '@tooltrail/core';
import { simulateReadableStream, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiSdkInstrumentation } from '../../src/ai/ai-sdk-instrumentation.js';
import { enableContext, type Harness, SSN_CANARY, startHarness } from '../support/framework-harness.js';

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

/** The model's stream part type, taken from the mock so no provider package is imported. */
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV3['doStream']>> extends { stream: ReadableStream<infer Part> }
    ? Part
    : never;

describe('AI SDK 6 instrumentation with streamText', () => {
  let harness: Harness;
  const instrumentation = new AiSdkInstrumentation();
  beforeAll(async () => {
    harness = await startHarness('ai6-stream-test');
    expect((await instrumentation.enable(enableContext())).patched).toEqual(['ai@6.0.325']);
  });
  afterAll(async () => {
    instrumentation.disable();
    await harness.cleanup();
  });

  it('records the tool calls of a streamed multi-step run before the stream ends', async () => {
    const streams: StreamPart[][] = [
      [
        { type: 'stream-start' as const, warnings: [] },
        {
          type: 'tool-call' as const,
          toolCallId: 'st-1',
          toolName: 'lookup_patient',
          input: JSON.stringify({ patientId: 'P-1', ssn: SSN_CANARY }),
        },
        {
          type: 'finish' as const,
          finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
          usage,
        },
      ],
      [
        { type: 'stream-start' as const, warnings: [] },
        { type: 'text-start' as const, id: 't' },
        { type: 'text-delta' as const, id: 't', delta: 'P-1 is active.' },
        { type: 'text-end' as const, id: 't' },
        { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: 'stop' }, usage },
      ],
    ];
    let call = 0;
    const model = new MockLanguageModelV3({
      modelId: 'mock-stream-1',
      doStream: async () => ({ stream: simulateReadableStream({ chunks: streams[call++] ?? [] }) }),
    });
    const lookup = tool({
      inputSchema: z.object({ patientId: z.string(), ssn: z.string() }),
      execute: async ({ patientId }) => ({ id: patientId, status: 'active' }),
    });
    const text = await withAuditContext({ userId: 'dr-stream' }, async () => {
      const result = streamText({
        model,
        prompt: 'Check P-1',
        tools: { lookup_patient: lookup },
        stopWhen: stepCountIs(3),
      });
      return result.text;
    });
    expect(text).toBe('P-1 is active.');

    const { records } = await harness.finish();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      tool: 'lookup_patient',
      call_id: 'st-1',
      success: true,
      model: 'mock-stream-1',
      user: 'dr-stream',
      args: { patientId: 'P-1', ssn: '[REDACTED:ssn]' },
    });
  });
});
