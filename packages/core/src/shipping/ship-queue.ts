import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { SealedRecord } from '../chain/hash-chain.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import { ShipPositionFile } from '../trail/ship-cursor.js';
import { ChainTrailReader } from '../trail/trail-reader.js';
import {
  isFinal,
  positionAfter,
  type ShipBatch,
  savePosition,
  type ToLogRecord,
  trailBatch,
} from './ship-batch.js';

/** Options of {@link ShipQueue}. */
export interface ShipQueueOptions {
  /** Records held in memory; the ones past it are read back from the trail, or only counted without one. */
  maxQueue: number;
  maxBatch: number;
  errors: ErrorHandler;
  toLogRecord: ToLogRecord;
  /** The trail this process writes: records past `maxQueue` are read back from it; the cursor is its `.shipped`. */
  trail?: { dir: string; chainId: string };
}

/**
 * This process's chain on its way to the exporter, in `seq` order: a bounded in-memory queue. When it is full,
 * records are not held (back-pressure costs no memory): with a trail they are read back from it, from the last
 * acknowledged `seq`, until the reader catches up; without one they stay in the trail and are only counted.
 */
export class ShipQueue {
  /** Records that did not fit the in-memory queue. */
  overflowed = 0;
  private readonly _items: Array<{ seq: number; final: boolean; log: ReadableLogRecord }> = [];
  /** Last seq acknowledged / handed to `push`. */
  private _acked = -1;
  private _lastPushed = -1;
  /** Set while records are read back from the trail instead of memory. */
  private _spilling = false;
  private _reader: ChainTrailReader | undefined;
  private readonly _position: ShipPositionFile | undefined;

  constructor(private readonly _options: ShipQueueOptions) {
    const { trail } = _options;
    if (trail) this._position = new ShipPositionFile(trail.dir, trail.chainId);
  }

  /** Takes a record; true when it was queued in memory (false: counted as overflowed). */
  push(sealed: SealedRecord): boolean {
    const { seq } = sealed.record;
    this._lastPushed = seq;
    if (this._spilling) {
      this.overflowed++;
      return false;
    }
    const { trail, errors } = this._options;
    if (this._items.length >= this._options.maxQueue) {
      this.overflowed++;
      // From here on, this chain's records are read back from the trail until the reader catches up.
      if (trail) this._spilling = true;
      errors.report(
        'ship_overflow',
        trail
          ? 'audit log export queue is full; records are read back from the local trail'
          : 'audit log export queue is full; records stay in the local trail',
      );
      return false;
    }
    this._items.push({ seq, final: isFinal(sealed.record), log: this._options.toLogRecord(sealed) });
    return true;
  }

  /** Records are queued in memory or waiting in the trail. */
  get hasWork(): boolean {
    return this._items.length > 0 || this._spilling;
  }

  /** A full batch is queued in memory. */
  get batchReady(): boolean {
    return this._items.length >= this._options.maxBatch;
  }

  /** Reading back from the trail: an empty `next()` then means "not this turn", not "nothing left". */
  get spilling(): boolean {
    return this._spilling;
  }

  /** Records not yet acknowledged; `failed` is the batch waiting for its retry, if any. */
  pending(failed: ShipBatch | undefined): number {
    if (this._options.trail) return Math.max(0, this._lastPushed - this._acked);
    return this._items.length + (failed && !failed.replay ? failed.logs.length : 0);
  }

  /** The next batch: queued records first, then the records read back from the trail. */
  next(): ShipBatch | undefined {
    const { trail, maxBatch } = this._options;
    const own = trail?.chainId ?? '';
    if (this._items.length > 0) {
      const items = this._items.splice(0, maxBatch);
      const last = items[items.length - 1]!;
      return {
        chain: own,
        replay: false,
        lastSeq: last.seq,
        final: last.final,
        logs: items.map((i) => i.log),
      };
    }
    if (this._spilling && trail) {
      this._reader ??= new ChainTrailReader(trail.dir, own);
      const records = this._reader.read(maxBatch, this._acked);
      if (records.length > 0) return trailBatch(own, false, records, this._options.toLogRecord);
      if (!this._reader.atEnd) return undefined; // Scan budget used: continue on the next turn.
      // Caught up with the trail: appends and this read are both synchronous, so nothing falls in between.
      this._spilling = false;
    }
    return undefined;
  }

  /** The exporter took `batch`: moves the cursor past it. */
  acknowledge(batch: ShipBatch): void {
    this._acked = batch.lastSeq;
    savePosition(this._position, positionAfter(batch), this._options.errors);
  }

  close(): void {
    this._reader?.close();
    this._position?.close();
  }
}
