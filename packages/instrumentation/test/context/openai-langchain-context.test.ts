import { tool } from '@langchain/core/tools';
import OpenAI from 'openai';
import type { RunnableToolFunctionWithParse } from 'openai/lib/RunnableFunction';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LangChainInstrumentation } from '../../src/langchain/langchain-instrumentation.js';
import { OpenAIInstrumentation } from '../../src/openai/openai-instrumentation.js';
import { startChatServer } from '../openai/chat-server.js';
import { enableContext, type Harness, startHarness } from '../support/framework-harness.js';
import { startSpanProbe } from '../support/span-probe.js';

let harness: Harness;
let probe: Awaited<ReturnType<typeof startSpanProbe>>;
const openai = new OpenAIInstrumentation();
const langchain = new LangChainInstrumentation();
beforeAll(async () => {
  harness = await startHarness('context-openai-langchain');
  probe = await startSpanProbe();
  await openai.enable(enableContext());
  await langchain.enable(enableContext());
});
afterAll(async () => {
  openai.disable();
  langchain.disable();
  await probe.close();
  await harness.cleanup();
});

async function expectChild(callId: string, label: string): Promise<void> {
  const record = (await harness.records()).find((candidate) => candidate.call_id === callId);
  expect(record, callId).toBeDefined();
  expect(probe.sightings.get(label)).toEqual({
    traceId: record?.trace_id,
    spanId: record?.span_id,
    httpParentSpanId: record?.span_id,
  });
}

describe('spans made inside a tool body are children of its execute_tool span', () => {
  it('OpenAI chat.completions.runTools', async () => {
    const server = await startChatServer([
      [{ id: 'call_ctx', name: 'fetch_chart', arguments: { id: 'A' } }],
      'done',
    ]);
    try {
      const client = new OpenAI({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
      const fetchChart: RunnableToolFunctionWithParse<{ id: string }> = {
        type: 'function',
        function: {
          name: 'fetch_chart',
          description: 'Fetches a chart',
          parameters: { type: 'object', properties: { id: { type: 'string' } } },
          parse: JSON.parse,
          function: async ({ id }) => ({ id, body: await probe.probe('openai') }),
        },
      };
      await client.chat.completions
        .runTools({ model: 'gpt-test', messages: [{ role: 'user', content: 'chart' }], tools: [fetchChart] })
        .finalContent();
    } finally {
      await server.close();
    }
    await expectChild('call_ctx', 'openai');
  });

  it('LangChain.js tool().invoke with a ToolCall', async () => {
    const fetchChart = tool(async ({ id }) => JSON.stringify({ id, body: await probe.probe('langchain') }), {
      name: 'fetch_chart',
      schema: z.object({ id: z.string() }),
    });
    await fetchChart.invoke({ type: 'tool_call', id: 'lc_ctx', name: 'fetch_chart', args: { id: 'B' } });
    await expectChild('lc_ctx', 'langchain');
  });
});
