import { generateText, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiSdkInstrumentation } from '../../src/ai/ai-sdk-instrumentation.js';
import { enableContext, type Harness, startHarness } from '../support/framework-harness.js';
import { startSpanProbe } from '../support/span-probe.js';

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};
const finish = (reason: 'tool-calls' | 'stop') => ({ unified: reason, raw: reason });

describe('AI SDK 6: spans made inside a tool body are children of its execute_tool span', () => {
  let harness: Harness;
  let probe: Awaited<ReturnType<typeof startSpanProbe>>;
  const instrumentation = new AiSdkInstrumentation();
  beforeAll(async () => {
    harness = await startHarness('ai6-context');
    probe = await startSpanProbe();
    await instrumentation.enable(enableContext());
  });
  afterAll(async () => {
    instrumentation.disable();
    await probe.close();
    await harness.cleanup();
  });

  const tools = () => ({
    fetch_chart: tool({
      inputSchema: z.object({ id: z.string() }),
      execute: async ({ id }, { toolCallId }) => ({ id, body: await probe.probe(toolCallId) }),
    }),
  });

  it('generateText', async () => {
    let turn = 0;
    const model = new MockLanguageModelV3({
      doGenerate: async () =>
        turn++ === 0
          ? {
              content: [
                { type: 'tool-call', toolCallId: 'g-1', toolName: 'fetch_chart', input: '{"id":"A"}' },
                { type: 'tool-call', toolCallId: 'g-2', toolName: 'fetch_chart', input: '{"id":"B"}' },
              ],
              finishReason: finish('tool-calls'),
              usage,
              warnings: [],
            }
          : { content: [{ type: 'text', text: 'done' }], finishReason: finish('stop'), usage, warnings: [] },
    });
    await generateText({ model, prompt: 'charts', tools: tools(), stopWhen: stepCountIs(3) });
    await expectChildren(['g-1', 'g-2']);
  });

  it('streamText', async () => {
    let turn = 0;
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: simulateReadableStream<unknown>({
          chunks:
            turn++ === 0
              ? [
                  { type: 'tool-call', toolCallId: 's-1', toolName: 'fetch_chart', input: '{"id":"C"}' },
                  { type: 'finish', finishReason: finish('tool-calls'), usage },
                ]
              : [
                  { type: 'text-start', id: 't' },
                  { type: 'text-delta', id: 't', delta: 'done' },
                  { type: 'text-end', id: 't' },
                  { type: 'finish', finishReason: finish('stop'), usage },
                ],
        }) as never,
      }),
    });
    const result = streamText({ model, prompt: 'charts', tools: tools(), stopWhen: stepCountIs(3) });
    await result.consumeStream();
    await expectChildren(['s-1']);
  });

  async function expectChildren(callIds: string[]): Promise<void> {
    const records = await harness.records();
    for (const callId of callIds) {
      const record = records.find((candidate) => candidate.call_id === callId);
      const seen = probe.sightings.get(callId);
      expect(record, callId).toBeDefined();
      expect(seen).toEqual({
        traceId: record?.trace_id,
        spanId: record?.span_id,
        httpParentSpanId: record?.span_id,
      });
    }
  }
});
