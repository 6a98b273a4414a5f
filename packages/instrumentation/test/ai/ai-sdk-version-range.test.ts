import { generateText, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiSdkInstrumentation } from '../../src/ai/ai-sdk-instrumentation.js';
import {
  collectWarnings,
  enableContext,
  expectOutOfRangeNoop,
  type Harness,
  startHarness,
} from '../support/framework-harness.js';

describe('AI SDK instrumentation outside its supported range', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('ai-range-test');
  });
  afterAll(() => harness.cleanup());

  it('stays a no-op and logs once when ai 6.0.110 (before the tool hooks) is installed', async () => {
    await expectOutOfRangeNoop(new AiSdkInstrumentation(), 'ai', '6.0.110', '>=6.0.111 <8');

    const model = new MockLanguageModelV3({
      doGenerate: {
        content: [{ type: 'tool-call', toolCallId: 'c-1', toolName: 'ping', input: '{}' }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: {
          inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 1, text: 1, reasoning: 0 },
        },
        warnings: [],
      },
    });
    let pinged = 0;
    const ping = tool({ inputSchema: z.object({}), execute: async () => ++pinged });
    await generateText({ model, prompt: 'ping', tools: { ping } });
    expect(pinged).toBe(1);
    expect(await harness.records()).toEqual([]);
  });

  it('skips events from an ai copy outside the range (7.x events carry their version)', async () => {
    const instrumentation = new AiSdkInstrumentation();
    expect((await instrumentation.enable(enableContext())).patched).toEqual(['ai@6.0.325']);
    try {
      const integrations = (
        globalThis as {
          AI_SDK_TELEMETRY_INTEGRATIONS?: Array<{ executeTool?: (options: unknown) => Promise<unknown> }>;
        }
      ).AI_SDK_TELEMETRY_INTEGRATIONS;
      const integration = integrations?.at(-1);
      let ran = 0;
      const warnings = await collectWarnings(async () => {
        await integration?.executeTool?.({
          callId: 'gen-1',
          toolCallId: 'c-9',
          toolCall: { toolCallId: 'c-9', toolName: 'ping', input: {} },
          aiVersion: '8.1.0',
          execute: async () => {
            ran++;
          },
        });
      });
      expect(ran).toBe(1);
      expect(warnings).toEqual([expect.stringContaining('ai@8.1.0 is outside the supported range')]);
      expect(await harness.records()).toEqual([]);
    } finally {
      instrumentation.disable();
    }
  });
});
