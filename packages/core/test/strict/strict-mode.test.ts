import { execFileSync } from 'node:child_process';
import { closeSync, constants, open, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditUnavailableError, auditTool } from '../../src/index.js';
import { startAudit } from '../support/audit-harness.js';
import { tempDir } from '../support/make-trail.js';
import { verifyPinned } from '../support/verify-pinned.js';

/**
 * Occupies every libuv threadpool thread (each blocks opening a FIFO nobody writes): an fdatasync queued
 * behind them cannot finish, as on a stalled disk. Returns the release function.
 */
function stallThreadpool(): () => void {
  const dir = tempDir('tooltrail-stall-');
  const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: size }, (_, i) => join(dir, `fifo-${i}`));
  for (const fifo of fifos) {
    execFileSync('mkfifo', [fifo]);
    open(fifo, 'r', (error, fd) => {
      if (!error) closeSync(fd);
    });
  }
  return () => {
    for (const fifo of fifos) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // The reader had not reached open() yet: it will fail on its own later.
      }
    }
  };
}

describe('strict (fail-closed) mode', () => {
  it('writes a durable, redacted intent before an async tool runs and links the result to it', async () => {
    const { audit, records } = startAudit({ strict: true });
    let seenByTool: Record<string, unknown> | undefined;
    const refund = auditTool('refund_order', async (args: { order_id: string; password: string }) => {
      seenByTool = records().at(-1);
      return { refund_id: `R-${args.order_id}` };
    });
    const result = await refund({ order_id: 'ORD-1', password: 'hunter2' });
    expect(result).toEqual({ refund_id: 'R-ORD-1' });
    expect(seenByTool).toMatchObject({
      type: 'intent',
      tool: 'refund_order',
      args: { order_id: 'ORD-1', password: '[REDACTED:password]' },
    });
    const call = records().find((record) => record.type === 'tool_call')!;
    expect(call).toMatchObject({ intent_seq: seenByTool!.seq, intent_hash: seenByTool!.hash, success: true });
    expect(call.args).toEqual(seenByTool!.args);
    expect(audit.stats().strictRefused).toBe(0);
    // Shut down first: a chain still being written has no final checkpoint yet (unfinished).
    await audit.shutdown();
    expect((await verifyPinned(audit.trailDir)).ok).toBe(true);
  });

  it('keeps a sync tool sync: intent first, then the value returned as is', () => {
    const { records } = startAudit({ strict: true });
    let intentWritten = false;
    const add = auditTool('add', (a: number, b: number) => {
      intentWritten = records().at(-1)?.type === 'intent';
      return a + b;
    });
    expect(add(2, 3)).toBe(5);
    expect(intentWritten).toBe(true);
  });

  it('is chosen per tool: strict: true on one tool, strict: false opts out of a strict setup', async () => {
    const loose = startAudit();
    const strictTool = auditTool('charge', async () => 'ok', { strict: true });
    const plainTool = auditTool('lookup', async () => 'ok');
    await strictTool();
    await plainTool();
    // Each chain opens with its signed genesis checkpoint.
    const kind = (record: Record<string, unknown>) =>
      record.genesis === true ? 'genesis' : `${record.type}:${record.tool}`;
    expect(loose.records().map(kind)).toEqual([
      'genesis',
      'intent:charge',
      'tool_call:charge',
      'tool_call:lookup',
    ]);
    const strict = startAudit({ strict: true });
    await auditTool('lookup', async () => 'ok', { strict: false })();
    expect(strict.records().map(kind)).toEqual(['genesis', 'tool_call:lookup']);
  });

  it('passes a thrown error through and records the failed result against its intent', async () => {
    const { records, audit } = startAudit({ strict: true });
    const failing = auditTool('charge', async () => {
      throw new TypeError('card declined');
    });
    await expect(failing()).rejects.toThrow('card declined');
    const [genesis, intent, call] = records();
    expect(genesis).toMatchObject({ type: 'checkpoint', seq: 0, genesis: true });
    expect(intent).toMatchObject({ type: 'intent', seq: 1 });
    expect(call).toMatchObject({ success: false, intent_seq: intent!.seq, error: { type: 'TypeError' } });
    await audit.shutdown();
    expect((await verifyPinned(audit.trailDir)).ok).toBe(true);
  });

  it('refuses with AuditUnavailableError (reason timeout) when the intent is not durable in time', async () => {
    const { records, audit } = startAudit({ strict: true, strictTimeoutMillis: 50 });
    let executed = false;
    const refund = auditTool('refund_order', async () => {
      executed = true;
      return 'refunded';
    });
    const release = stallThreadpool();
    let error: unknown;
    try {
      error = await refund().catch((caught: unknown) => caught);
    } finally {
      release();
    }
    expect(error).toBeInstanceOf(AuditUnavailableError);
    expect(AuditUnavailableError.is(error)).toBe(true);
    expect((error as AuditUnavailableError).reason).toBe('timeout');
    expect((error as Error).message).toMatch(/not durable within 50 ms/);
    expect(executed).toBe(false);
    expect(audit.stats().strictRefused).toBe(1);
    // The refusal is recorded against the intent, so the verifier sees no open call.
    const [genesis, intent, refusal] = records();
    expect(genesis).toMatchObject({ type: 'checkpoint', seq: 0, genesis: true });
    expect(intent).toMatchObject({ type: 'intent', seq: 1 });
    expect(refusal).toMatchObject({
      type: 'tool_call',
      executed: false,
      success: false,
      intent_seq: intent!.seq,
      error: { type: 'AuditUnavailableError' },
    });
    await audit.shutdown();
    expect((await verifyPinned(audit.trailDir)).ok).toBe(true);
  });
});

describe('the verifier and strict intents', () => {
  it('reports an intent without its result as open_call, and not once the call has finished', async () => {
    const { audit, records } = startAudit({ strict: true });
    let finish: (value: string) => void = () => undefined;
    const slow = auditTool('slow_tool', () => new Promise<string>((resolve) => (finish = resolve)), {
      strict: true,
    });
    const running = slow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The chain is still being written: liveMillis tolerates its unsigned tail and missing final checkpoint
    // (warnings), so the only problem left is the open call.
    const live = { liveMillis: 60_000 };
    const during = await verifyPinned(audit.trailDir, live);
    const intent = records().find((record) => record.type === 'intent')!;
    expect(during.problems).toEqual([
      expect.objectContaining({ kind: 'open_call', seq: intent.seq, chain: audit.chainId }),
    ]);
    expect(during.problems[0]?.message).toMatch(/slow_tool/);
    expect(during.warnings.map((warning) => warning.kind)).toEqual(['unprotected', 'unfinished']);
    finish('done');
    await running;
    const after = await verifyPinned(audit.trailDir, live);
    expect(after.problems).toEqual([]);
    expect(after.ok).toBe(true);
    await audit.shutdown();
    const finished = await verifyPinned(audit.trailDir);
    expect(finished.ok).toBe(true);
    expect(finished.warnings).toEqual([]);
  });
});
