import { withAuditContext } from '@tooltrail/core';
import type * as AiModule from 'ai';
import type * as AiTestModule from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiSdkInstrumentation } from '../../src/ai/ai-sdk-instrumentation.js';
import {
  CARD_CANARY,
  enableContext,
  type Harness,
  SSN_CANARY,
  startHarness,
} from '../support/framework-harness.js';

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};
const toolCall = (toolCallId: string, toolName: string, input: unknown) => ({
  type: 'tool-call' as const,
  toolCallId,
  toolName,
  input: JSON.stringify(input),
});
const step = (content: ReturnType<typeof toolCall>[]) => ({
  content,
  finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
  usage,
  warnings: [],
});

/** The parts of an `ai` 6.x install the scenario drives (the newest release, or the range's lowest). */
export interface AiSdk6 {
  version: string;
  generateText: typeof AiModule.generateText;
  stepCountIs: typeof AiModule.stepCountIs;
  tool: typeof AiModule.tool;
  MockLanguageModelV3: typeof AiTestModule.MockLanguageModelV3;
}

/** A multi-step tool loop through `generateText`, with the SDK's mock model, audited end to end. */
export function describeAiSdk6(sdk: AiSdk6): void {
  const { generateText, stepCountIs, tool, MockLanguageModelV3 } = sdk;
  describe(`AI SDK ${sdk.version} instrumentation (generateText + MockLanguageModelV3)`, () => {
    let harness: Harness;
    const instrumentation = new AiSdkInstrumentation();

    beforeAll(async () => {
      harness = await startHarness(`ai-${sdk.version}-test`);
      expect(await instrumentation.enable(enableContext())).toEqual({ patched: ['ai@6.0.325'], skipped: [] });
    });
    afterAll(async () => {
      instrumentation.disable();
      await harness.cleanup();
    });

    it('records parallel, failing, retried, follow-up, not-executed and invalid tool calls of a multi-step loop', async () => {
      let charges = 0;
      const script = [
        // Step 0: three parallel calls; the charge fails.
        step([
          toolCall('call-1', 'lookup_patient', { patientId: 'P-1', ssn: SSN_CANARY }),
          toolCall('call-2', 'lookup_patient', { patientId: 'P-2' }),
          toolCall('call-3', 'charge_card', { card: CARD_CANARY, amount: 40 }),
          toolCall('call-0', 'no_such_tool', {}),
        ]),
        // Step 1: the model retries the charge and looks up one more record on its own.
        step([
          toolCall('call-4', 'charge_card', { card: CARD_CANARY, amount: 40 }),
          toolCall('call-5', 'lookup_patient', { patientId: 'P-3' }),
        ]),
        // Step 2: asks the client to confirm (no execute): the loop stops there.
        step([toolCall('call-6', 'confirm_with_user', { question: 'Refund 40?' })]),
      ];
      let turn = 0;
      const model = new MockLanguageModelV3({
        modelId: 'mock-clinical-1',
        // A function, not the array form: 6.0.111's mock reads its array off by one.
        doGenerate: async () => script[turn++] ?? script[script.length - 1]!,
      });
      const tools = {
        lookup_patient: tool({
          description: 'Reads a patient record',
          inputSchema: z.object({ patientId: z.string(), ssn: z.string().optional() }),
          execute: async ({ patientId }) => ({ id: patientId, status: 'active' }),
        }),
        charge_card: tool({
          inputSchema: z.object({ card: z.string(), amount: z.number() }),
          execute: async ({ card }) => {
            if (charges++ === 0) throw new Error(`card declined: ${card}`);
            return { payment_id: 'pay-9', status: 'captured' };
          },
        }),
        confirm_with_user: tool({ inputSchema: z.object({ question: z.string() }) }),
      };

      const result = await withAuditContext(
        { userId: 'dr-house', userRole: 'physician', conversationId: 'conv-42', purpose: 'treatment' },
        () =>
          generateText({ model, prompt: 'Check P-1 and P-2, then charge', tools, stopWhen: stepCountIs(6) }),
      );
      expect(result.steps).toHaveLength(3);

      const { records, otlp } = await harness.finish();
      const byId = new Map(records.map((record) => [record.call_id, record]));
      expect([...byId.keys()].sort()).toEqual([
        'call-0',
        'call-1',
        'call-2',
        'call-3',
        'call-4',
        'call-5',
        'call-6',
      ]);

      const first = byId.get('call-1');
      expect(first).toMatchObject({
        tool: 'lookup_patient',
        success: true,
        model: 'mock-clinical-1',
        user: 'dr-house',
        role: 'physician',
        conversation: 'conv-42',
        purpose: 'treatment',
        trigger: 'user_request',
      });
      expect(first?.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(first?.args)).not.toContain(SSN_CANARY);
      expect(first?.result).toMatchObject({ success: true, id: 'P-1' });
      expect(byId.get('call-2')).toMatchObject({ success: true, trigger: 'user_request' });

      const failed = byId.get('call-3');
      expect(failed).toMatchObject({ tool: 'charge_card', success: false, error: { type: 'Error' } });
      expect(String((failed?.error as { message?: string } | undefined)?.message)).toContain('card declined');

      expect(byId.get('call-4')).toMatchObject({ tool: 'charge_card', success: true, trigger: 'retry' });
      expect(byId.get('call-5')).toMatchObject({
        tool: 'lookup_patient',
        success: true,
        trigger: 'follow_up',
      });
      expect(byId.get('call-6')).toMatchObject({
        tool: 'confirm_with_user',
        success: false,
        executed: false,
        not_executed_reason: 'no_execute',
        error: { type: 'not_executed' },
        trigger: 'follow_up',
        model: 'mock-clinical-1',
        user: 'dr-house',
      });
      expect(byId.get('call-0')).toMatchObject({
        tool: 'no_such_tool',
        success: false,
        executed: false,
        not_executed_reason: 'invalid_call',
      });
      // The capture server saw the records (so the canary check above looked at real OTLP bytes).
      expect(otlp.includes('charge_card')).toBe(true);
    });
  });
}
