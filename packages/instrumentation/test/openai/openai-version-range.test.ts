import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../../src/openai/openai-instrumentation.js';
import {
  collectWarnings,
  enableContext,
  type Harness,
  installedVersionDir,
  startHarness,
} from '../support/framework-harness.js';

describe('OpenAI SDK instrumentation outside its supported range', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('openai-range-test');
  });
  afterAll(() => harness.cleanup());

  it('stays a no-op and logs once when openai 4.x is installed', async () => {
    const dir = installedVersionDir('openai', '4.104.0');
    const instrumentation = new OpenAIInstrumentation();
    const warnings = await collectWarnings(async () => {
      for (let i = 0; i < 2; i++)
        expect(await instrumentation.enable(enableContext({ resolveFrom: dir }))).toEqual({
          patched: [],
          skipped: ['openai@4.104.0: outside >=6.0.0 <8'],
        });
    });
    expect(warnings).toEqual([
      expect.stringContaining('openai@4.104.0 is outside the supported range >=6.0.0 <8'),
    ]);
    // The real SDK's runTools is left as the SDK defines it.
    const client = new OpenAI({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v1' });
    const runTools = Object.getPrototypeOf(client.chat.completions).runTools as { name: string };
    expect(Object.getOwnPropertySymbols(Object.getPrototypeOf(client.chat.completions))).toEqual([]);
    expect(runTools.name).toBe('runTools');
    expect(await harness.records()).toEqual([]);
  });
});
