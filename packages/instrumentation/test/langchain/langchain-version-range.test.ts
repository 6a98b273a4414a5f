import { tool } from '@langchain/core/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LangChainInstrumentation } from '../../src/langchain/langchain-instrumentation.js';
import { expectOutOfRangeNoop, type Harness, startHarness } from '../support/framework-harness.js';

describe('LangChain.js instrumentation outside its supported range', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('langchain-range-test');
  });
  afterAll(() => harness.cleanup());

  it('stays a no-op and logs once when @langchain/core 0.3.x is installed', async () => {
    await expectOutOfRangeNoop(new LangChainInstrumentation(), '@langchain/core', '0.3.80', '>=1.0.0 <2');
    const echo = tool(async ({ text }) => text, { name: 'echo', schema: z.object({ text: z.string() }) });
    expect(await echo.invoke({ text: 'hi' })).toBe('hi');
    expect(await harness.records()).toEqual([]);
  });
});
