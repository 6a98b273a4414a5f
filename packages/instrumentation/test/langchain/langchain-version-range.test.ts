import { tool } from '@langchain/core/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LangChainInstrumentation } from '../../src/langchain/langchain-instrumentation.js';
import {
  collectWarnings,
  enableContext,
  type Harness,
  installedVersionDir,
  startHarness,
} from '../support/framework-harness.js';

describe('LangChain.js instrumentation outside its supported range', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('langchain-range-test');
  });
  afterAll(() => harness.cleanup());

  it('stays a no-op and logs once when @langchain/core 0.3.x is installed', async () => {
    const dir = installedVersionDir('@langchain/core', '0.3.80');
    const instrumentation = new LangChainInstrumentation();
    const warnings = await collectWarnings(async () => {
      for (let i = 0; i < 2; i++)
        expect(await instrumentation.enable(enableContext({ resolveFrom: dir }))).toEqual({
          patched: [],
          skipped: ['@langchain/core@0.3.80: outside >=1.0.0 <2'],
        });
    });
    expect(warnings).toEqual([
      expect.stringContaining('@langchain/core@0.3.80 is outside the supported range >=1.0.0 <2'),
    ]);
    const echo = tool(async ({ text }) => text, { name: 'echo', schema: z.object({ text: z.string() }) });
    expect(await echo.invoke({ text: 'hi' })).toBe('hi');
    expect(await harness.records()).toEqual([]);
  });
});
