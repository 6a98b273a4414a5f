import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../../src/openai/openai-instrumentation.js';
import { expectOutOfRangeNoop, type Harness, startHarness } from '../support/framework-harness.js';

describe('OpenAI SDK instrumentation outside its supported range', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('openai-range-test');
  });
  afterAll(() => harness.cleanup());

  it('stays a no-op and logs once when openai 4.x is installed', async () => {
    await expectOutOfRangeNoop(new OpenAIInstrumentation(), 'openai', '4.104.0', '>=6.0.0 <8');
    // The real SDK's runTools is left as the SDK defines it.
    const client = new OpenAI({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v1' });
    const runTools = Object.getPrototypeOf(client.chat.completions).runTools as { name: string };
    expect(Object.getOwnPropertySymbols(Object.getPrototypeOf(client.chat.completions))).toEqual([]);
    expect(runTools.name).toBe('runTools');
    expect(await harness.records()).toEqual([]);
  });
});
