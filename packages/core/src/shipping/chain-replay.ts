import type { ErrorHandler } from '../internal/error-handler.js';
import { trailChains } from '../trail/list-trail.js';
import {
  claimChain,
  readShipPosition,
  releaseChain,
  type ShipPosition,
  ShipPositionFile,
} from '../trail/ship-cursor.js';
import { ChainTrailReader } from '../trail/trail-reader.js';
import { positionAfter, type ShipBatch, savePosition, type ToLogRecord, trailBatch } from './ship-batch.js';

/**
 * Older chains looked at (cursor read, lock claimed) per `next()` at most: a directory of thousands of finished
 * chains is gone through over many turns, never in one that holds the agent's thread.
 */
const STARTS_PER_TURN = 64;

/** Options of {@link ChainReplay}. */
export interface ChainReplayOptions {
  /** The trail directory. */
  dir: string;
  /** This process's chain, which is not replayed. */
  chainId: string;
  maxBatch: number;
  errors: ErrorHandler;
  toLogRecord: ToLogRecord;
}

interface ReplayingChain {
  chain: string;
  position: ShipPosition;
  reader: ChainTrailReader;
  file: ShipPositionFile;
}

/**
 * The older chains of a trail directory, as earlier processes left them: one at a time, each is claimed (a chain
 * another live process holds is left alone), read from its `.shipped` cursor to its end, and its cursor moved as
 * batches are acknowledged. A chain whose cursor says its final checkpoint was shipped is skipped.
 */
export class ChainReplay {
  private _chains: string[];
  private _current: ReplayingChain | undefined;

  constructor(private readonly _options: ChainReplayOptions) {
    this._chains = trailChains(_options.dir).filter((chain) => chain !== _options.chainId);
  }

  /** A chain is being replayed or waits for its turn. */
  get hasWork(): boolean {
    return this._current !== undefined || this._chains.length > 0;
  }

  /**
   * The next batch; undefined when done, or when this turn's budget is used (then `hasWork` stays true): the
   * reader's scan budget, or `STARTS_PER_TURN` chains looked at.
   */
  next(): ShipBatch | undefined {
    let starts = 0;
    while (this._current || this._chains.length > 0) {
      if (!this._current) {
        if (starts++ === STARTS_PER_TURN) return undefined;
        if (!this._start(this._chains.shift()!)) continue;
      }
      const current = this._current!;
      let records: ReturnType<ChainTrailReader['read']>;
      try {
        records = current.reader.read(this._options.maxBatch, current.position.seq);
      } catch (error) {
        // Retried at every turn, it would hold every flush (and shutdown) until its deadline: the chain is left
        // for a later start, the other chains go on.
        this._options.errors.report(
          'replay_read',
          `could not replay chain ${current.chain} from the trail`,
          error,
        );
        this._finish(false);
        continue;
      }
      if (records.length > 0) return trailBatch(current.chain, true, records, this._options.toLogRecord);
      if (!current.reader.atEnd) return undefined;
      this._finish(true);
    }
    return undefined;
  }

  /** The exporter took `batch`: moves its chain's cursor past it. */
  acknowledge(batch: ShipBatch): void {
    const current = this._current;
    if (current?.chain !== batch.chain) return;
    const position = positionAfter(batch);
    current.position = position;
    savePosition(current.file, position, this._options.errors);
  }

  /** Stops replaying: the current chain is released, the others are left for a later process. */
  close(): void {
    if (this._current) this._finish(false);
    this._chains = [];
  }

  private _start(chain: string): boolean {
    const { dir } = this._options;
    const position = readShipPosition(dir, chain);
    if (position.final || !claimChain(dir, chain)) return false;
    const reader = new ChainTrailReader(dir, chain);
    if (position.segment !== undefined && position.offset !== undefined)
      reader.seek({ segment: position.segment, offset: position.offset });
    this._current = { chain, position, reader, file: new ShipPositionFile(dir, chain) };
    return true;
  }

  /**
   * Done with a chain. At its end, the cursor also records where the end is, so that the next start does not
   * scan the chain again (a crashed chain never gets the final checkpoint that would mark it done).
   */
  private _finish(atEnd: boolean): void {
    const current = this._current!;
    const { position, reader } = current;
    const end = reader.consumed;
    if (atEnd && end && (end.segment !== position.segment || end.offset !== position.offset)) {
      savePosition(current.file, { seq: position.seq, final: position.final, ...end }, this._options.errors);
    }
    reader.close();
    current.file.close();
    releaseChain(this._options.dir, current.chain);
    this._current = undefined;
  }
}
