import { rmSync } from 'node:fs';
import type * as AgentsModule from '@openai/agents';
import type { Model, ModelRequest, ModelResponse } from '@openai/agents';
import { withAuditContext } from '@tooltrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAIAgentsInstrumentation } from '../../src/openai-agents/openai-agents-instrumentation.js';
import {
  CARD_CANARY,
  enableContext,
  type Harness,
  SSN_CANARY,
  startHarness,
} from '../support/framework-harness.js';

type FunctionCall = { callId: string; name: string; arguments: unknown };

/** The parts of an `@openai/agents` install the scenario drives (the default devDependency, or the range's lowest). */
export interface AgentsSdk {
  version: string;
  Agent: typeof AgentsModule.Agent;
  Runner: typeof AgentsModule.Runner;
  setTracingDisabled: typeof AgentsModule.setTracingDisabled;
  tool: typeof AgentsModule.tool;
  Usage: typeof AgentsModule.Usage;
  withGenerationSpan: typeof AgentsModule.withGenerationSpan;
  /** An application directory where `@openai/agents` resolves to this install; default: this package's. */
  appDir?: () => string;
}

/** A scripted `Model` (part of the SDK's public API): one scripted turn per call, then a final message. */
export class ScriptedModel implements Model {
  private _turn = 0;
  constructor(
    private readonly _sdk: AgentsSdk,
    private readonly _modelName: string,
    private readonly _turns: FunctionCall[][],
  ) {}

  async getResponse(_request: ModelRequest): Promise<ModelResponse> {
    // Model providers report the model on a generation span; the instrumentation reads it from there.
    const { Usage, withGenerationSpan } = this._sdk;
    return withGenerationSpan(
      async () => {
        const calls = this._turns[this._turn++];
        const output = calls
          ? calls.map((call) => ({
              type: 'function_call' as const,
              callId: call.callId,
              name: call.name,
              arguments: JSON.stringify(call.arguments),
              status: 'completed' as const,
            }))
          : [
              {
                type: 'message' as const,
                role: 'assistant' as const,
                status: 'completed' as const,
                content: [{ type: 'output_text' as const, text: 'done' }],
              },
            ];
        return { output, usage: new Usage(), responseId: `resp-${this._turn}` };
      },
      { data: { model: this._modelName } },
    );
  }

  // biome-ignore lint/correctness/useYield: the scripted model only answers non-streamed runs.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('streaming is not scripted');
  }
}

/** One run with parallel, failing and follow-up calls, then 1,200 calls in one turn, audited end to end. */
export function describeOpenAIAgents(sdk: AgentsSdk): void {
  const { Agent, Runner, setTracingDisabled, tool } = sdk;
  describe(`OpenAI Agents SDK ${sdk.version} instrumentation (trace processor)`, () => {
    let harness: Harness;
    const instrumentation = new OpenAIAgentsInstrumentation();
    let appDir: string | undefined;

    beforeAll(async () => {
      harness = await startHarness(`agents-${sdk.version}-test`);
      appDir = sdk.appDir?.();
      // Vitest sets NODE_ENV=test, where the SDK disables tracing by default. The SDK's own exporter stays in
      // place (without an API key it skips exports): ours runs beside it.
      setTracingDisabled(false);
      expect(await instrumentation.enable(enableContext(appDir ? { resolveFrom: appDir } : {}))).toEqual({
        patched: [`@openai/agents@${sdk.version}`],
        skipped: [],
      });
    });
    afterAll(async () => {
      instrumentation.disable();
      await harness.cleanup();
      if (appDir) rmSync(appDir, { recursive: true, force: true });
    });

    const lookupPatient = tool({
      name: 'lookup_patient',
      description: 'Reads a patient record',
      parameters: z.object({ patientId: z.string(), ssn: z.string().nullable() }),
      execute: async ({ patientId }) => ({ id: patientId, status: 'active' }),
    });
    const chargeCard = tool({
      name: 'charge_card',
      description: 'Charges a card',
      parameters: z.object({ card: z.string(), amount: z.number() }),
      execute: async ({ card }) => {
        throw new Error(`card declined: ${card}`);
      },
    });

    it('records function tool calls with the group as conversation, turn, model and failures', async () => {
      const model = new ScriptedModel(sdk, 'scripted-model-1', [
        [
          { callId: 'fc-1', name: 'lookup_patient', arguments: { patientId: 'P-1', ssn: SSN_CANARY } },
          { callId: 'fc-2', name: 'charge_card', arguments: { card: CARD_CANARY, amount: 40 } },
        ],
        [{ callId: 'fc-3', name: 'lookup_patient', arguments: { patientId: 'P-2', ssn: null } }],
      ]);
      const agent = new Agent({
        name: 'clinic',
        instructions: 'help',
        model,
        tools: [lookupPatient, chargeCard],
      });
      const runner = new Runner({ groupId: 'conv-agents', workflowName: 'clinic-test' });
      const result = await withAuditContext({ userId: 'dr-grey', userRole: 'physician' }, () =>
        runner.run(agent, 'Check P-1 and charge', { maxTurns: 5 }),
      );
      expect(result.finalOutput).toBe('done');

      const records = (await harness.records()).filter((record) => record.conversation === 'conv-agents');
      expect(records.map((record) => record.tool)).toEqual([
        'lookup_patient',
        'charge_card',
        'lookup_patient',
      ]);
      expect(records[0]).toMatchObject({
        success: true,
        user: 'dr-grey',
        role: 'physician',
        model: 'scripted-model-1',
        turn: 1,
        trigger: 'user_request',
        args: { patientId: 'P-1' },
        result: { id: 'P-1', status: 'active' },
      });
      expect(records[1]).toMatchObject({ tool: 'charge_card', success: false, error: { type: 'ToolError' } });
      expect(String((records[1]?.error as { message?: string } | undefined)?.message)).toContain(
        'card declined',
      );
      expect(records[2]).toMatchObject({ success: true, turn: 2, trigger: 'follow_up' });
      // Each call ran in its own OTel execute_tool span, and carries the model's call id.
      expect(records.map((record) => record.call_id)).toEqual(['fc-1', 'fc-2', 'fc-3']);
      for (const record of records) expect(record.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(new Set(records.map((record) => record.span_id)).size).toBe(3);
    });

    it('drops nothing past the default processor queue size: 1,200 calls → 1,200 records', async () => {
      const calls = Array.from({ length: 1200 }, (_, i) => ({
        callId: `bulk-${i}`,
        name: 'lookup_patient',
        arguments: { patientId: `P-${i}`, ssn: SSN_CANARY },
      }));
      const agent = new Agent({
        name: 'bulk',
        instructions: 'help',
        model: new ScriptedModel(sdk, 'scripted-model-2', [calls]),
        tools: [lookupPatient],
      });
      await new Runner({ groupId: 'conv-bulk' }).run(agent, 'Check everyone', { maxTurns: 3 });

      const { records } = await harness.finish();
      const bulk = records.filter((record) => record.conversation === 'conv-bulk');
      expect(bulk).toHaveLength(1200);
      expect(new Set(bulk.map((record) => (record.args as { patientId: string }).patientId)).size).toBe(1200);
    });
  });
}
