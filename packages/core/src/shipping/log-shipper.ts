import type { Resource } from '@opentelemetry/resources';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SealedRecord } from '../chain/hash-chain.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import { claimChain, releaseChain } from '../trail/ship-cursor.js';
import { ChainReplay } from './chain-replay.js';
import { exportLogs } from './export-logs.js';
import { toAuditLogRecord } from './otlp-log-record.js';
import type { ShipBatch } from './ship-batch.js';
import { ShipQueue } from './ship-queue.js';

export interface LogShipperConfig {
  exporter: LogRecordExporter;
  resource: Resource;
  errors: ErrorHandler;
  /** Records held in memory waiting for export; beyond it they are read back from the trail. @default 20000 */
  maxQueue?: number;
  /** @default 512 */
  maxBatch?: number;
  /**
   * How long a partial batch waits for more records before it is exported; a full batch goes at once. Without
   * the wait, a tool that does I/O between calls paid a timer, an export and a cursor write every few calls.
   * @default 200
   */
  batchDelayMillis?: number;
  /** First retry delay; doubles up to 30 s. @default 500 */
  retryMillis?: number;
  /**
   * The local trail this process writes (directory and chain id). With it, the acknowledged position is kept
   * in `<dir>/<chain>.shipped`, records that overflow memory are read back from the trail, and older chains
   * are replayed from their position. Without it, overflowed records are only counted.
   */
  trail?: { dir: string; chainId: string };
  /** Replay the unshipped records of older chains in the trail directory. @default true */
  replay?: boolean;
}

const MAX_RETRY_MILLIS = 30_000;

/**
 * Ships sealed records as OTLP log records whose body is the record's canonical JSON, so Loki and the archive
 * hold exactly what was hashed. Records are already in the local trail when they get here; a failed export is
 * retried with backoff and never given up (the OTel batch processor would drop them). With a trail, the
 * acknowledged position survives restarts: a later process replays what an earlier one did not ship.
 * This class only schedules: the queue (`ShipQueue`), the replay (`ChainReplay`) and the mapping
 * (`toAuditLogRecord`) live beside it.
 */
export class LogShipper {
  /** Records of this process's chain acknowledged by the exporter. */
  shipped = 0;
  /** Records of older chains replayed from the trail and acknowledged. */
  replayed = 0;
  private readonly _queue: ShipQueue;
  private readonly _replay: ChainReplay | undefined;
  private _retryMillis: number;
  private _inFlight: Promise<void> | undefined;
  private _failed: ShipBatch | undefined;
  private _timer: NodeJS.Timeout | undefined;
  /** The pending timer only waits for a partial batch to fill (not a retry's backoff): a full batch may cut it short. */
  private _timerWaitsForBatch = false;
  private readonly _batchDelayMillis: number;
  private _backoffUntil = 0;
  private _shutdown = false;

  constructor(private readonly _config: LogShipperConfig) {
    this._retryMillis = _config.retryMillis ?? 500;
    this._batchDelayMillis = _config.batchDelayMillis ?? 200;
    const { trail, errors, resource } = _config;
    const maxBatch = _config.maxBatch ?? 512;
    const toLogRecord = (sealed: SealedRecord) => toAuditLogRecord(sealed, resource);
    if (trail) claimChain(trail.dir, trail.chainId);
    this._queue = new ShipQueue({
      maxQueue: _config.maxQueue ?? 20_000,
      maxBatch,
      errors,
      toLogRecord,
      trail,
    });
    if (trail && _config.replay !== false) {
      this._replay = new ChainReplay({ ...trail, maxBatch, errors, toLogRecord });
      if (this._replay.hasWork) this._schedule(0);
    }
  }

  /** Records that did not fit the in-memory queue (read back from the trail when there is one). */
  get overflowed(): number {
    return this._queue.overflowed;
  }

  /** Records of this chain not yet acknowledged (queued, in flight, or waiting in the trail). */
  get pending(): number {
    return this._queue.pending(this._failed);
  }

  enqueue(sealed: SealedRecord): void {
    if (this._shutdown) return;
    if (!this._queue.push(sealed)) return;
    if (!this._queue.batchReady) {
      this._schedule(this._batchDelayMillis, true);
    } else if (this._timer === undefined || this._timerWaitsForBatch) {
      if (this._timer) clearTimeout(this._timer);
      this._timer = undefined;
      this._schedule(0);
    }
  }

  /** Exports everything queued (and replays); resolves when done or when `timeoutMillis` has passed. */
  async forceFlush(timeoutMillis = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    // Also while a batch is in flight: the last one started here is done only once the exporter answers.
    while ((this._hasWork() || this._inFlight) && Date.now() < deadline) {
      if (this._inFlight) {
        // Bounded too: an exporter that never calls back must not hold a flush (and shutdown) forever.
        await untilDeadline(this._inFlight, deadline);
        continue;
      }
      // After a failure, keep the backoff: a flush must not hammer a collector that is down.
      const wait = Math.min(this._backoffUntil - Date.now(), deadline - Date.now());
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      this._drain();
      if (!this._inFlight) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this._hasWork() || this._inFlight) {
      this._config.errors.report(
        'ship_timeout',
        `${this.pending} audit records not yet exported (kept in the trail)`,
      );
    }
  }

  async shutdown(timeoutMillis = 30_000): Promise<void> {
    if (this._shutdown) return;
    await this.forceFlush(timeoutMillis);
    this._shutdown = true;
    if (this._timer) clearTimeout(this._timer);
    this._queue.close();
    const { trail } = this._config;
    if (trail) releaseChain(trail.dir, trail.chainId);
    this._replay?.close();
    try {
      await this._config.exporter.shutdown();
    } catch (error) {
      this._config.errors.report('ship_shutdown', 'log exporter shutdown failed', error);
    }
  }

  private _hasWork(): boolean {
    return this._failed !== undefined || this._queue.hasWork || this._replay?.hasWork === true;
  }

  /** After an export: a full batch, a read-back or a replay goes on at once, a partial batch waits to fill. */
  private _scheduleNext(): void {
    const now = this._queue.batchReady || this._queue.spilling || this._replay?.hasWork === true;
    this._schedule(now ? 0 : this._batchDelayMillis, !now);
  }

  private _schedule(delayMillis: number, waitsForBatch = false): void {
    if (this._timer || this._inFlight || this._shutdown) return;
    this._timerWaitsForBatch = waitsForBatch;
    this._timer = setTimeout(() => {
      this._timer = undefined;
      this._drain();
    }, delayMillis);
    this._timer.unref();
  }

  private _drain(): void {
    if (this._inFlight || this._shutdown) return;
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    let batch: ShipBatch | undefined;
    try {
      batch = this._failed ?? this._nextBatch();
    } catch (error) {
      this._config.errors.report('ship_read', 'could not read audit records back from the trail', error);
      return;
    }
    if (!batch) {
      if (this._hasWork()) this._schedule(0);
      return;
    }
    this._failed = undefined;
    const current = batch;
    this._inFlight = exportLogs(this._config.exporter, current.logs, this._config.errors).then((ok) => {
      this._inFlight = undefined;
      if (ok) {
        this._acknowledge(current);
        this._retryMillis = this._config.retryMillis ?? 500;
        this._backoffUntil = 0;
        if (this._hasWork()) this._scheduleNext();
      } else {
        this._failed = current;
        this._backoffUntil = Date.now() + this._retryMillis;
        this._schedule(this._retryMillis);
        this._retryMillis = Math.min(this._retryMillis * 2, MAX_RETRY_MILLIS);
      }
    });
  }

  /** Live records first, then this chain's records read back from the trail, then older chains. */
  private _nextBatch(): ShipBatch | undefined {
    const own = this._queue.next();
    // While the queue reads back from the trail, older chains wait: an empty read only used its scan budget.
    if (own || this._queue.spilling) return own;
    return this._replay?.next();
  }

  private _acknowledge(batch: ShipBatch): void {
    if (batch.replay) {
      this.replayed += batch.logs.length;
      this._replay?.acknowledge(batch);
    } else {
      this.shipped += batch.logs.length;
      this._queue.acknowledge(batch);
    }
  }
}

/** `promise`, or the deadline if it comes first. Not unref'd either, like `sleep`. */
function untilDeadline(promise: Promise<void>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// Not unref'd: while a flush waits, the process must stay alive to finish it.
function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
