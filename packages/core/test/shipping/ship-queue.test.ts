import { describe, expect, it } from 'vitest';
import type { SealedRecord } from '../../src/chain/hash-chain.js';
import { ErrorHandler } from '../../src/internal/error-handler.js';
import type { ShipBatch } from '../../src/shipping/ship-batch.js';
import { ShipQueue } from '../../src/shipping/ship-queue.js';
import { readShipPosition } from '../../src/trail/ship-cursor.js';
import { makeTrail } from '../support/make-trail.js';

/** Stand-in log records: the sealed line itself, so a batch shows which records it holds. */
const toLogRecord = (sealed: SealedRecord) => ({ body: sealed.line }) as never;

function sealed(seq: number, type = 'tool_call'): SealedRecord {
  const record = {
    type,
    chain: 'c',
    seq,
    hash: String(seq),
    ...(type === 'checkpoint' ? { final: true } : {}),
  };
  return { record, line: JSON.stringify(record) };
}

const seqsOf = (batch: ShipBatch | undefined) =>
  (batch?.logs ?? []).map((log) => (JSON.parse(String(log.body)) as { seq: number }).seq);

/** Drains the queue as the shipper does (every batch acknowledged); returns the seqs in shipping order. */
function drain(queue: ShipQueue): number[] {
  const shipped: number[] = [];
  for (let turn = 0; turn < 1_000; turn++) {
    const batch = queue.next();
    if (!batch) {
      if (queue.spilling) continue; // The reader's scan budget was used: next turn.
      return shipped;
    }
    shipped.push(...seqsOf(batch));
    queue.acknowledge(batch);
  }
  throw new Error('the queue never drained');
}

describe('ShipQueue without a trail', () => {
  it('holds at most maxQueue records, counts each one dropped, and reports the overflow', () => {
    const errors = new ErrorHandler(() => undefined);
    const queue = new ShipQueue({ maxQueue: 3, maxBatch: 10, errors, toLogRecord });
    const taken = [0, 1, 2, 3, 4].map((seq) => queue.push(sealed(seq)));
    expect(taken).toEqual([true, true, true, false, false]);
    expect(queue.overflowed).toBe(2);
    expect(errors.counts.get('ship_overflow')).toBe(2);
    expect(queue.pending(undefined)).toBe(3);
    expect(drain(queue)).toEqual([0, 1, 2]);
    expect(queue.hasWork).toBe(false);
  });

  it('keeps the order across batches of maxBatch and marks the final checkpoint', () => {
    const queue = new ShipQueue({ maxQueue: 100, maxBatch: 4, errors: new ErrorHandler(), toLogRecord });
    for (let seq = 0; seq < 9; seq++) queue.push(sealed(seq));
    queue.push(sealed(9, 'checkpoint'));
    const batches: ShipBatch[] = [];
    for (let batch = queue.next(); batch; batch = queue.next()) batches.push(batch);
    expect(batches.map(seqsOf)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(batches.map((batch) => [batch.lastSeq, batch.final, batch.replay])).toEqual([
      [3, false, false],
      [7, false, false],
      [9, true, false],
    ]);
  });

  it('counts a batch waiting for its retry as pending', () => {
    const queue = new ShipQueue({ maxQueue: 10, maxBatch: 2, errors: new ErrorHandler(), toLogRecord });
    for (let seq = 0; seq < 5; seq++) queue.push(sealed(seq));
    const failed = queue.next();
    expect(queue.pending(failed)).toBe(5);
    expect(queue.pending({ ...failed!, replay: true })).toBe(3);
  });
});

describe('ShipQueue with a trail', () => {
  it('reads the records past maxQueue back from the trail, in order, once each, and moves the cursor', async () => {
    const trail = await makeTrail({ calls: 20, every: 1_000 });
    const records: SealedRecord[] = trail.lines.map((line) => ({ record: JSON.parse(line), line }));
    const chainId = records[0]!.record.chain;
    const errors = new ErrorHandler(() => undefined);
    const queue = new ShipQueue({
      maxQueue: 3,
      maxBatch: 4,
      errors,
      toLogRecord,
      trail: { dir: trail.dir, chainId },
    });
    for (const record of records) queue.push(record);
    expect(queue.overflowed).toBe(records.length - 3);
    // One report, then the rest only counted: while spilling, the queue no longer checks its bound.
    expect(errors.counts.get('ship_overflow')).toBe(1);
    expect(queue.spilling).toBe(true);
    expect(queue.pending(undefined)).toBe(records.length);

    expect(drain(queue)).toEqual(records.map((record) => record.record.seq));
    expect(queue.spilling).toBe(false);
    expect(queue.pending(undefined)).toBe(0);
    queue.close();
    const last = records.at(-1)!.record;
    expect(readShipPosition(trail.dir, chainId)).toMatchObject({ seq: last.seq, final: true });
  });
});
