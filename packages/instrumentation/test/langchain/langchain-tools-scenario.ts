import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Messages from '@langchain/core/messages';
import type * as Testing from '@langchain/core/testing';
import type * as Tools from '@langchain/core/tools';
import { withAuditContext } from '@tooltrail/core';
import type * as LangChain from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LangChainInstrumentation } from '../../src/langchain/langchain-instrumentation.js';
import {
  CARD_CANARY,
  enableContext,
  type Harness,
  PACKAGE_DIR,
  SSN_CANARY,
  startHarness,
  type TrailRecord,
} from '../support/framework-harness.js';

/** `langchain`'s agent loop, where the install has one whose peer `@langchain/core` is the instrumented one. */
export interface LangChainAgentSdk {
  AIMessage: typeof Messages.AIMessage;
  HumanMessage: typeof Messages.HumanMessage;
  fakeModel: typeof Testing.fakeModel;
  createAgent: typeof LangChain.createAgent;
  toolRetryMiddleware: typeof LangChain.toolRetryMiddleware;
}

/** The parts of one `@langchain/core` install the scenario drives (the default devDependency, or the lowest). */
export interface LangChainSdk {
  /** The `@langchain/core` version. */
  version: string;
  tool: typeof Tools.tool;
  /** An application directory where `@langchain/core` resolves to this install; default: this package. */
  appDir?: () => string;
  agent?: LangChainAgentSdk;
}

type Call = { name: string; args: Record<string, unknown>; id: string };

/** The calls of one run: two parallel lookups, then a charge that fails once and is retried with the same id. */
const TURNS: Call[][] = [
  [
    { name: 'lookup_patient', args: { patientId: 'P-1', ssn: SSN_CANARY }, id: 'lc-1' },
    { name: 'lookup_patient', args: { patientId: 'P-2' }, id: 'lc-2' },
  ],
  [{ name: 'charge_card', args: { card: CARD_CANARY, amount: 40 }, id: 'lc-3' }],
];

/** The assertions every driver of TURNS must meet, on the records of one thread. */
function expectRunRecords(records: TrailRecord[]): void {
  expect(records.map((record) => record.call_id).sort()).toEqual(['lc-1', 'lc-2', 'lc-3', 'lc-3']);
  const lookups = records.filter((record) => record.tool === 'lookup_patient');
  expect(lookups).toHaveLength(2);
  for (const record of lookups)
    expect(record).toMatchObject({ success: true, user: 'nurse-joy', role: 'nurse' });
  expect(JSON.stringify(lookups)).not.toContain(SSN_CANARY);
  const charges = records.filter((record) => record.tool === 'charge_card');
  expect(charges.map((record) => [record.success, record.trigger])).toEqual([
    [false, 'user_request'],
    [true, 'retry'],
  ]);
  expect(charges[0]?.error).toMatchObject({ type: 'Error' });
}

/** Tool calls of an agent loop (parallel, failing, retried) and of both module copies, audited end to end. */
export function describeLangChainTools(sdk: LangChainSdk): void {
  const { tool } = sdk;
  describe(`LangChain.js instrumentation, @langchain/core ${sdk.version}`, () => {
    let harness: Harness;
    const instrumentation = new LangChainInstrumentation();
    let appDir: string | undefined;
    const context = () => enableContext(appDir ? { resolveFrom: appDir } : {});

    const makeTools = () => {
      let attempts = 0;
      const lookupPatient = tool(
        async ({ patientId }) => JSON.stringify({ id: patientId, status: 'active' }),
        {
          name: 'lookup_patient',
          description: 'Reads a patient record',
          schema: z.object({ patientId: z.string(), ssn: z.string().optional() }),
        },
      );
      const chargeCard = tool(
        async ({ card }) => {
          if (attempts++ === 0) throw new Error(`gateway timeout for ${card}`);
          return 'captured';
        },
        {
          name: 'charge_card',
          description: 'Charges a card',
          schema: z.object({ card: z.string(), amount: z.number() }),
        },
      );
      return { lookupPatient, chargeCard };
    };
    const threadRecords = async (threadId: string) =>
      (await harness.records()).filter((record) => record.conversation === threadId);

    beforeAll(async () => {
      harness = await startHarness(`langchain-${sdk.version}-test`);
      appDir = sdk.appDir?.();
      expect(await instrumentation.enable(context())).toEqual({
        patched: [`@langchain/core@${sdk.version}`],
        skipped: [],
      });
    });
    afterAll(async () => {
      instrumentation.disable();
      await harness.cleanup();
      if (appDir) rmSync(appDir, { recursive: true, force: true });
    });

    it('leaves tools unaudited after disable()', async () => {
      instrumentation.disable();
      const echo = tool(async ({ text }) => text, { name: 'echo', schema: z.object({ text: z.string() }) });
      await echo.invoke({ text: 'hi' });
      const records = await harness.records();
      expect(records.some((record) => record.tool === 'echo')).toBe(false);
      expect((await instrumentation.enable(context())).patched).toEqual([`@langchain/core@${sdk.version}`]);
      await echo.invoke({ text: 'again' });
      expect((await harness.records()).filter((record) => record.tool === 'echo')).toHaveLength(1);
    });

    it("records tool calls made the way langchain's ToolNode makes them: parallel, failing, retried by id", async () => {
      // ToolNode invokes each tool with the model's ToolCall and the run's config; toolRetryMiddleware invokes
      // the same ToolCall again after a failure.
      const tools = makeTools();
      const byName: Record<string, { invoke(input: unknown, config: unknown): Promise<unknown> }> = {
        lookup_patient: tools.lookupPatient as never,
        charge_card: tools.chargeCard as never,
      };
      const config = { configurable: { thread_id: 'thread-core' } };
      await withAuditContext({ userId: 'nurse-joy', userRole: 'nurse' }, async () => {
        for (const turn of TURNS)
          await Promise.all(
            turn.map(async (call) => {
              const toolCall = { ...call, type: 'tool_call' as const };
              const invoke = byName[call.name]?.invoke;
              if (!invoke) throw new Error(`no tool ${call.name}`);
              const run = () => invoke.call(byName[call.name], toolCall, config);
              await run().catch(run);
            }),
          );
      });
      expectRunRecords(await threadRecords('thread-core'));
    });

    it('patches the CommonJS copy too', async () => {
      const require = createRequire(join(appDir ?? PACKAGE_DIR, 'index.js'));
      const cjs = require('@langchain/core/tools') as typeof Tools;
      expect(cjs.tool).not.toBe(tool);
      const echo = cjs.tool(async ({ text }) => text, {
        name: 'cjs_echo',
        schema: z.object({ text: z.string() }),
      });
      expect(await echo.invoke({ text: 'hi' })).toBe('hi');
      expect((await harness.records()).filter((record) => record.tool === 'cjs_echo')).toHaveLength(1);
    });

    // Only where `langchain`'s createAgent can load: every @langchain/langgraph 1.x needs @langchain/core >= 1.0.1,
    // so the 1.0.0 run (no `sdk.agent`) makes the same calls the way ToolNode makes them (above) instead.
    const itWithAgent = sdk.agent ? it : () => {};
    itWithAgent('records the same calls made by createAgent with toolRetryMiddleware', async () => {
      const { AIMessage, HumanMessage, fakeModel, createAgent, toolRetryMiddleware } =
        sdk.agent as LangChainAgentSdk;
      const { lookupPatient, chargeCard } = makeTools();
      let model = fakeModel();
      for (const turn of TURNS) model = model.respondWithTools(turn);
      const agent = createAgent({
        model: model.respond(new AIMessage('All done.')),
        tools: [lookupPatient, chargeCard],
        middleware: [toolRetryMiddleware({ maxRetries: 1, initialDelayMs: 0, jitter: false })],
      });
      const result = await withAuditContext({ userId: 'nurse-joy', userRole: 'nurse' }, () =>
        agent.invoke(
          { messages: [new HumanMessage('Check P-1 and P-2 and charge the card')] },
          { configurable: { thread_id: 'thread-7' } },
        ),
      );
      expect(result.messages.at(-1)?.content).toBe('All done.');
      expectRunRecords(await threadRecords('thread-7'));
    });

    it('writes a trail that verifies, with no PII canary in it or in the OTLP bytes', async () => {
      const { records, otlp } = await harness.finish();
      expect(records.filter((record) => record.conversation === 'thread-core')).toHaveLength(4);
      expect(otlp.includes('lookup_patient')).toBe(true);
    });
  });
}
