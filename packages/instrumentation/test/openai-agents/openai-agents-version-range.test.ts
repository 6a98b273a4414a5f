import { Agent, type Model, type ModelResponse, run, setTracingDisabled, tool, Usage } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAIAgentsInstrumentation } from '../../src/openai-agents/openai-agents-instrumentation.js';
import { expectOutOfRangeNoop, type Harness, startHarness } from '../support/framework-harness.js';

class OneCallModel implements Model {
  private _calls = 0;
  async getResponse(): Promise<ModelResponse> {
    const output =
      this._calls++ === 0
        ? [
            {
              type: 'function_call' as const,
              callId: 'c-1',
              name: 'ping',
              arguments: '{}',
              status: 'completed' as const,
            },
          ]
        : [
            {
              type: 'message' as const,
              role: 'assistant' as const,
              status: 'completed' as const,
              content: [{ type: 'output_text' as const, text: 'pong' }],
            },
          ];
    return { output, usage: new Usage() };
  }
  // biome-ignore lint/correctness/useYield: not used by these runs.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('not scripted');
  }
}

describe('OpenAI Agents SDK instrumentation outside its supported range', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('agents-range-test');
    setTracingDisabled(false);
  });
  afterAll(() => harness.cleanup());

  it('stays a no-op and logs once when @openai/agents 0.0.x is installed', async () => {
    await expectOutOfRangeNoop(new OpenAIAgentsInstrumentation(), '@openai/agents', '0.0.17', '>=0.14.0 <1');
    let pinged = 0;
    const ping = tool({
      name: 'ping',
      description: 'ping',
      parameters: z.object({}),
      execute: async () => ++pinged,
    });
    const result = await run(new Agent({ name: 'p', model: new OneCallModel(), tools: [ping] }), 'ping');
    expect(result.finalOutput).toBe('pong');
    expect(pinged).toBe(1);
    expect(await harness.records()).toEqual([]);
  });
});
