import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { withAuditContext } from '@tooltrail/core';
import { createAgent, toolRetryMiddleware } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LangChainInstrumentation } from '../../src/langchain/langchain-instrumentation.js';
import {
  CARD_CANARY,
  enableContext,
  type Harness,
  SSN_CANARY,
  startHarness,
} from '../support/framework-harness.js';

describe('LangChain.js instrumentation (createAgent + fakeModel)', () => {
  let harness: Harness;
  const instrumentation = new LangChainInstrumentation();

  beforeAll(async () => {
    harness = await startHarness('langchain-test');
    expect(await instrumentation.enable(enableContext())).toEqual({
      patched: ['@langchain/core@1.4.0'],
      skipped: [],
    });
  });
  afterAll(async () => {
    instrumentation.disable();
    await harness.cleanup();
  });

  it('leaves tools unaudited after disable()', async () => {
    instrumentation.disable();
    const echo = tool(async ({ text }) => text, { name: 'echo', schema: z.object({ text: z.string() }) });
    await echo.invoke({ text: 'hi' });
    const records = await harness.records();
    expect(records.some((record) => record.tool === 'echo')).toBe(false);
    expect((await instrumentation.enable(enableContext())).patched).toEqual(['@langchain/core@1.4.0']);
    await echo.invoke({ text: 'again' });
    expect((await harness.records()).filter((record) => record.tool === 'echo')).toHaveLength(1);
  });

  it('records parallel, failing and retried tool calls made by the agent loop, with the thread as conversation', async () => {
    let attempts = 0;
    const lookupPatient = tool(async ({ patientId }) => JSON.stringify({ id: patientId, status: 'active' }), {
      name: 'lookup_patient',
      description: 'Reads a patient record',
      schema: z.object({ patientId: z.string(), ssn: z.string().optional() }),
    });
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
    const model = fakeModel()
      .respondWithTools([
        { name: 'lookup_patient', args: { patientId: 'P-1', ssn: SSN_CANARY }, id: 'lc-1' },
        { name: 'lookup_patient', args: { patientId: 'P-2' }, id: 'lc-2' },
      ])
      .respondWithTools([{ name: 'charge_card', args: { card: CARD_CANARY, amount: 40 }, id: 'lc-3' }])
      .respond(new AIMessage('All done.'));
    const agent = createAgent({
      model,
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

    const { records, otlp } = await harness.finish();
    expect(
      records
        .filter((record) => record.tool !== 'echo')
        .map((record) => record.call_id)
        .sort(),
    ).toEqual(['lc-1', 'lc-2', 'lc-3', 'lc-3']);
    const lookups = records.filter((record) => record.tool === 'lookup_patient');
    expect(lookups).toHaveLength(2);
    for (const record of lookups)
      expect(record).toMatchObject({
        success: true,
        user: 'nurse-joy',
        role: 'nurse',
        conversation: 'thread-7',
      });
    expect(JSON.stringify(lookups)).not.toContain(SSN_CANARY);
    const charges = records.filter((record) => record.tool === 'charge_card');
    expect(charges.map((record) => [record.success, record.trigger])).toEqual([
      [false, 'user_request'],
      [true, 'retry'],
    ]);
    expect(charges[0]?.error).toMatchObject({ type: 'Error' });
    expect(otlp.includes('lookup_patient')).toBe(true);
  });
});
