import { afterEach, describe, expect, it } from 'vitest';
import { auditTool, withAuditContext } from '../src/index.js';
import { type Harness, startAudit } from './support/audit-harness.js';
import { verifyPinned } from './support/verify-pinned.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.audit.shutdown();
});

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

describe('attribution under concurrency', () => {
  it('keeps 100 interleaved conversations apart: every record carries its own user and turn', async () => {
    harness = startAudit({ checkpoints: { everyRecords: 64 } });
    const step = auditTool('step', async (args: { conversation: number; turn: number }) => {
      // Random awaits interleave the conversations' calls.
      await sleep(Math.floor(Math.random() * 4));
      return { conversation: args.conversation, turn: args.turn };
    });
    const conversations = Array.from({ length: 100 }, (_, c) => c);
    await Promise.all(
      conversations.map((c) =>
        withAuditContext({ userId: `user_${c}`, conversationId: `conv_${c}` }, async () => {
          for (let turn = 1; turn <= 3; turn++) {
            await withAuditContext({ turn }, async () => {
              await Promise.all([step({ conversation: c, turn }), step({ conversation: c, turn })]);
            });
          }
        }),
      ),
    );
    await harness.audit.shutdown();

    const calls = harness.toolCalls();
    expect(calls).toHaveLength(600);
    for (const record of calls) {
      const args = record.args as { conversation: number; turn: number };
      expect(record.user).toBe(`user_${args.conversation}`);
      expect(record.conversation).toBe(`conv_${args.conversation}`);
      expect(record.turn).toBe(args.turn);
    }
    // The calls really interleaved: consecutive records come from different conversations.
    const switches = calls.filter(
      (record, i) => i > 0 && record.conversation !== calls[i - 1]?.conversation,
    ).length;
    expect(switches).toBeGreaterThan(100);

    const records = harness.records();
    expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => i));
    const report = await verifyPinned(harness.dir);
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
  });
});
