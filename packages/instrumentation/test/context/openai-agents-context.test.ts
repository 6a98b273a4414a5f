import { Agent, Runner, setTracingDisabled, tool, Usage, withGenerationSpan } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAIAgentsInstrumentation } from '../../src/openai-agents/openai-agents-instrumentation.js';
import { ScriptedModel } from '../openai-agents/openai-agents-scenario.js';
import { enableContext, type Harness, startHarness } from '../support/framework-harness.js';
import { startSpanProbe } from '../support/span-probe.js';

let harness: Harness;
let probe: Awaited<ReturnType<typeof startSpanProbe>>;
const instrumentation = new OpenAIAgentsInstrumentation();
beforeAll(async () => {
  harness = await startHarness('context-openai-agents');
  probe = await startSpanProbe();
  setTracingDisabled(false);
  await instrumentation.enable(enableContext());
});
afterAll(async () => {
  instrumentation.disable();
  await probe.close();
  await harness.cleanup();
});

describe('OpenAI Agents SDK: a function tool runs in its own execute_tool span', () => {
  it('the body’s spans are its children, and the record carries the span and the call id', async () => {
    const fetchChart = tool({
      name: 'fetch_chart',
      description: 'Fetches a chart',
      parameters: z.object({ id: z.string() }),
      execute: async ({ id }) => ({ id, body: await probe.probe(`agents-${id}`) }),
    });
    const sdk = { Usage, withGenerationSpan } as ConstructorParameters<typeof ScriptedModel>[0];
    const model = new ScriptedModel(sdk, 'scripted-ctx', [
      [
        { callId: 'ctx-1', name: 'fetch_chart', arguments: { id: 'A' } },
        { callId: 'ctx-2', name: 'fetch_chart', arguments: { id: 'B' } },
      ],
    ]);
    const agent = new Agent({ name: 'ctx', instructions: 'help', model, tools: [fetchChart] });
    await new Runner({ groupId: 'conv-ctx' }).run(agent, 'charts', { maxTurns: 3 });

    const records = (await harness.records()).filter((record) => record.conversation === 'conv-ctx');
    expect(records.map((record) => record.call_id).sort()).toEqual(['ctx-1', 'ctx-2']);
    for (const record of records) {
      const id = (record.args as { id: string }).id;
      expect(probe.sightings.get(`agents-${id}`), id).toEqual({
        traceId: record.trace_id,
        spanId: record.span_id,
        httpParentSpanId: record.span_id,
      });
      expect(record).toMatchObject({ tool: 'fetch_chart', success: true, model: 'scripted-ctx', turn: 1 });
    }
  });
});
