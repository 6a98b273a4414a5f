import { rmSync } from 'node:fs';
import { withAuditContext } from '@tooltrail/core';
import type OpenAIClass from 'openai';
import type * as OpenAIZodHelpers from 'openai/helpers/zod';
import type { RunnableToolFunctionWithParse } from 'openai/lib/RunnableFunction';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z as zod } from 'zod';
import { OpenAIInstrumentation } from '../../src/openai/openai-instrumentation.js';
import {
  CARD_CANARY,
  enableContext,
  type Harness,
  SSN_CANARY,
  startHarness,
} from '../support/framework-harness.js';
import { startChatServer } from './chat-server.js';

/** The parts of an `openai` install the scenario drives (the default devDependency, or the range's lowest). */
export interface OpenAISdk {
  version: string;
  OpenAI: typeof OpenAIClass;
  zodFunction: typeof OpenAIZodHelpers.zodFunction;
  /** The zod the SDK's `zodFunction` accepts (6.0.0 converts only zod 3 schemas: `zod/v3`). */
  z: typeof zod;
  /** An application directory where `openai` resolves to this install; default: this package's `openai`. */
  appDir?: () => string;
}

/** Two `runTools()` runs (function form, then a failing `zodFunction()`), audited end to end. */
export function describeOpenAIRunTools(sdk: OpenAISdk): void {
  const { OpenAI, zodFunction, z } = sdk;
  describe(`OpenAI SDK ${sdk.version} instrumentation (chat.completions.runTools against 127.0.0.1)`, () => {
    let harness: Harness;
    const instrumentation = new OpenAIInstrumentation();
    let appDir: string | undefined;

    beforeAll(async () => {
      harness = await startHarness(`openai-${sdk.version}-test`);
      appDir = sdk.appDir?.();
      expect(await instrumentation.enable(enableContext(appDir ? { resolveFrom: appDir } : {}))).toEqual({
        patched: [`openai@${sdk.version}`],
        skipped: [],
      });
    });
    afterAll(async () => {
      instrumentation.disable();
      await harness.cleanup();
      if (appDir) rmSync(appDir, { recursive: true, force: true });
    });

    it('records parallel and follow-up function calls with model and tool call ids, and a failing zodFunction tool', async () => {
      const server = await startChatServer([
        [
          { id: 'call_a', name: 'lookup_patient', arguments: { patientId: 'P-1', ssn: SSN_CANARY } },
          { id: 'call_b', name: 'lookup_patient', arguments: { patientId: 'P-2' } },
        ],
        [{ id: 'call_c', name: 'charge_card', arguments: { card: CARD_CANARY, amount: 40 } }],
        'Both patients checked and the card charged.',
        // Second run: the charge fails.
        [{ id: 'call_d', name: 'charge_card', arguments: { card: CARD_CANARY, amount: 99 } }],
      ]);
      try {
        const client = new OpenAI({
          apiKey: 'test-key',
          baseURL: server.baseURL,
          maxRetries: 0,
          timeout: 10_000,
        });
        const lookupPatient: RunnableToolFunctionWithParse<{ patientId: string }> = {
          type: 'function',
          function: {
            name: 'lookup_patient',
            description: 'Reads a patient record',
            parameters: {
              type: 'object',
              properties: { patientId: { type: 'string' }, ssn: { type: 'string' } },
            },
            parse: JSON.parse,
            function: async (args) => ({ id: args.patientId, status: 'active' }),
          },
        };
        const chargeCard: RunnableToolFunctionWithParse<{ card: string }> = {
          type: 'function',
          function: {
            name: 'charge_card',
            description: 'Charges a card',
            parameters: {
              type: 'object',
              properties: { card: { type: 'string' }, amount: { type: 'number' } },
            },
            parse: JSON.parse,
            function: async () => ({ payment_id: 'pay-1', status: 'captured' }),
          },
        };
        const tools = [lookupPatient, chargeCard];
        const answer = await withAuditContext({ userId: 'clerk-1', conversationId: 'conv-oa' }, () =>
          client.chat.completions
            .runTools({
              model: 'gpt-test-mini',
              messages: [{ role: 'user', content: 'Check and charge' }],
              tools,
            })
            .finalContent(),
        );
        expect(answer).toBe('Both patients checked and the card charged.');
        // The model saw the tool results in call order.
        expect(
          server.requests[1]?.messages
            .filter((message) => message.role === 'tool')
            .map((m) => m.tool_call_id),
        ).toEqual(['call_a', 'call_b']);

        // Second run, with the zod helper's auto-parseable tool form: the charge fails.
        const declining = zodFunction({
          name: 'charge_card',
          parameters: z.object({ card: z.string(), amount: z.number() }),
          function: async ({ card }) => {
            throw new Error(`card declined: ${card}`);
          },
        });
        const failing = client.chat.completions
          .runTools({
            model: 'gpt-test-mini',
            messages: [{ role: 'user', content: 'Charge again' }],
            tools: [declining],
          })
          .finalContent();
        await expect(failing).rejects.toThrow('card declined');

        const { records, otlp } = await harness.finish();
        const byId = new Map(records.map((record) => [record.call_id, record]));
        expect([...byId.keys()].sort()).toEqual(['call_a', 'call_b', 'call_c', 'call_d']);
        expect(byId.get('call_a')).toMatchObject({
          tool: 'lookup_patient',
          success: true,
          model: 'gpt-test-mini',
          user: 'clerk-1',
          conversation: 'conv-oa',
          trigger: 'user_request',
          result: { id: 'P-1', status: 'active' },
        });
        expect(byId.get('call_b')).toMatchObject({
          tool: 'lookup_patient',
          success: true,
          trigger: 'user_request',
        });
        expect(byId.get('call_c')).toMatchObject({
          tool: 'charge_card',
          success: true,
          trigger: 'follow_up',
        });
        expect(byId.get('call_d')).toMatchObject({
          tool: 'charge_card',
          success: false,
          error: { type: 'Error' },
        });
        expect(otlp.includes('charge_card')).toBe(true);
      } finally {
        await server.close();
      }
    });
  });
}
