import { type HrTime, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { SealedRecord } from '../chain/hash-chain.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import { AUDIT_LOG_SCOPE } from '../semconv/attributes.js';
import { LOG_FIELDS } from '../semconv/record-attributes.js';
import { VERSION } from '../version.js';
import {
  claimChain,
  readShipPosition,
  releaseChain,
  type ShipPosition,
  ShipPositionFile,
} from './ship-cursor.js';
import { ChainTrailReader, type TrailOffset, type TrailRecord, trailChains } from './trail-reader.js';

export interface LogShipperConfig {
  exporter: LogRecordExporter;
  resource: Resource;
  errors: ErrorHandler;
  /** Records held in memory waiting for export; beyond it they are read back from the trail. @default 20000 */
  maxQueue?: number;
  /** @default 512 */
  maxBatch?: number;
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

interface Batch {
  chain: string;
  /** Own chain (live or read back) or an older chain being replayed. */
  replay: boolean;
  lastSeq: number;
  final: boolean;
  /** Where the line after the batch starts in the trail, when it was read from there. */
  next?: TrailOffset;
  logs: ReadableLogRecord[];
}

interface ReplayChain {
  chain: string;
  position: ShipPosition;
  reader: ChainTrailReader;
  file: ShipPositionFile;
}

/**
 * Ships sealed records as OTLP log records whose body is the record's canonical JSON, so Loki and the archive
 * hold exactly what was hashed. Records are already in the local trail when they get here; a failed export is
 * retried with backoff and never given up (the OTel batch processor would drop them). With a trail, the
 * acknowledged position survives restarts: a later process replays what an earlier one did not ship.
 */
export class LogShipper {
  /** Records of this process's chain acknowledged by the exporter. */
  shipped = 0;
  /** Records of older chains replayed from the trail and acknowledged. */
  replayed = 0;
  /** Records that did not fit the in-memory queue (read back from the trail when there is one). */
  overflowed = 0;
  private readonly _queue: Array<{ seq: number; final: boolean; log: ReadableLogRecord }> = [];
  private readonly _maxQueue: number;
  private readonly _maxBatch: number;
  private _retryMillis: number;
  private _inFlight: Promise<void> | undefined;
  private _failed: Batch | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _backoffUntil = 0;
  private _shutdown = false;
  private readonly _scope = { name: AUDIT_LOG_SCOPE, version: VERSION };
  private readonly _trail: { dir: string; chainId: string } | undefined;
  /** Last seq of this chain acknowledged / handed to `enqueue`. */
  private _acked = -1;
  private _lastEnqueued = -1;
  /** Set while records of this chain are read back from the trail instead of memory. */
  private _spilling = false;
  private _ownReader: ChainTrailReader | undefined;
  private _ownPosition: ShipPositionFile | undefined;
  private _replayQueue: string[] = [];
  private _replaying: ReplayChain | undefined;

  constructor(private readonly _config: LogShipperConfig) {
    this._maxQueue = _config.maxQueue ?? 20_000;
    this._maxBatch = _config.maxBatch ?? 512;
    this._retryMillis = _config.retryMillis ?? 500;
    this._trail = _config.trail;
    if (this._trail) {
      const { dir, chainId } = this._trail;
      claimChain(dir, chainId);
      this._ownPosition = new ShipPositionFile(dir, chainId);
      if (_config.replay !== false) {
        this._replayQueue = trailChains(dir).filter((chain) => chain !== chainId);
        if (this._replayQueue.length > 0) this._schedule(0);
      }
    }
  }

  /** Records of this chain not yet acknowledged (queued, in flight, or waiting in the trail). */
  get pending(): number {
    if (this._trail) return Math.max(0, this._lastEnqueued - this._acked);
    return this._queue.length + (this._failed && !this._failed.replay ? this._failed.logs.length : 0);
  }

  enqueue(sealed: SealedRecord): void {
    if (this._shutdown) return;
    const { seq } = sealed.record;
    this._lastEnqueued = seq;
    if (this._spilling) {
      this.overflowed++;
      return;
    }
    if (this._queue.length >= this._maxQueue) {
      this.overflowed++;
      // From here on, this chain's records are read back from the trail until the reader catches up.
      if (this._trail) this._spilling = true;
      this._config.errors.report(
        'ship_overflow',
        this._trail
          ? 'audit log export queue is full; records are read back from the local trail'
          : 'audit log export queue is full; records stay in the local trail',
      );
      return;
    }
    this._queue.push({ seq, final: isFinal(sealed.record), log: this._toLogRecord(sealed) });
    this._schedule(0);
  }

  /** Exports everything queued (and replays); resolves when done or when `timeoutMillis` has passed. */
  async forceFlush(timeoutMillis = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    while (this._hasWork() && Date.now() < deadline) {
      if (this._inFlight) {
        await this._inFlight;
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
    if (this._hasWork()) {
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
    if (this._trail) {
      this._ownReader?.close();
      this._ownPosition?.close();
      releaseChain(this._trail.dir, this._trail.chainId);
      if (this._replaying) this._finishReplay(false);
      this._replayQueue = [];
    }
    try {
      await this._config.exporter.shutdown();
    } catch (error) {
      this._config.errors.report('ship_shutdown', 'log exporter shutdown failed', error);
    }
  }

  private _hasWork(): boolean {
    return (
      this._failed !== undefined ||
      this._queue.length > 0 ||
      this._spilling ||
      this._replaying !== undefined ||
      this._replayQueue.length > 0
    );
  }

  private _schedule(delayMillis: number): void {
    if (this._timer || this._inFlight || this._shutdown) return;
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
    let batch: Batch | undefined;
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
    this._inFlight = this._export(current.logs).then((ok) => {
      this._inFlight = undefined;
      if (ok) {
        this._acknowledge(current);
        this._retryMillis = this._config.retryMillis ?? 500;
        this._backoffUntil = 0;
        if (this._hasWork()) this._schedule(0);
      } else {
        this._failed = current;
        this._backoffUntil = Date.now() + this._retryMillis;
        this._schedule(this._retryMillis);
        this._retryMillis = Math.min(this._retryMillis * 2, MAX_RETRY_MILLIS);
      }
    });
  }

  /** Live records first, then this chain's records read back from the trail, then older chains. */
  private _nextBatch(): Batch | undefined {
    const own = this._trail?.chainId ?? '';
    if (this._queue.length > 0) {
      const items = this._queue.splice(0, this._maxBatch);
      const last = items[items.length - 1]!;
      return {
        chain: own,
        replay: false,
        lastSeq: last.seq,
        final: last.final,
        logs: items.map((i) => i.log),
      };
    }
    if (this._spilling && this._trail) {
      this._ownReader ??= new ChainTrailReader(this._trail.dir, own);
      const records = this._ownReader.read(this._maxBatch, this._acked);
      if (records.length > 0) return this._batchOf(own, false, records);
      if (!this._ownReader.atEnd) return undefined; // Scan budget used: continue on the next turn.
      // Caught up with the trail: appends and this read are both synchronous, so nothing falls in between.
      this._spilling = false;
    }
    while (this._trail && (this._replaying || this._replayQueue.length > 0)) {
      if (!this._replaying && !this._startReplay(this._replayQueue.shift()!)) continue;
      const replaying = this._replaying!;
      const records = replaying.reader.read(this._maxBatch, replaying.position.seq);
      if (records.length > 0) return this._batchOf(replaying.chain, true, records);
      if (!replaying.reader.atEnd) return undefined;
      this._finishReplay(true);
    }
    return undefined;
  }

  private _batchOf(chain: string, replay: boolean, records: TrailRecord[]): Batch {
    const last = records[records.length - 1]!;
    return {
      chain,
      replay,
      lastSeq: last.record.seq,
      final: isFinal(last.record),
      next: { segment: last.segment, offset: last.end },
      logs: records.map((sealed) => this._toLogRecord(sealed)),
    };
  }

  private _acknowledge(batch: Batch): void {
    const position: ShipPosition = { seq: batch.lastSeq, final: batch.final, ...batch.next };
    let file: ShipPositionFile | undefined;
    if (batch.replay) {
      this.replayed += batch.logs.length;
      if (this._replaying?.chain === batch.chain) {
        this._replaying.position = position;
        file = this._replaying.file;
      }
    } else {
      this.shipped += batch.logs.length;
      this._acked = batch.lastSeq;
      file = this._ownPosition;
    }
    try {
      file?.write(position);
    } catch (error) {
      this._config.errors.report('ship_cursor', 'could not save the acknowledged export position', error);
    }
  }

  private _startReplay(chain: string): boolean {
    const dir = this._trail!.dir;
    const position = readShipPosition(dir, chain);
    if (position.final || !claimChain(dir, chain)) return false;
    const reader = new ChainTrailReader(dir, chain);
    if (position.segment !== undefined && position.offset !== undefined)
      reader.seek({ segment: position.segment, offset: position.offset });
    this._replaying = { chain, position, reader, file: new ShipPositionFile(dir, chain) };
    return true;
  }

  /**
   * Done with an older chain. At its end, the position also records where the end is, so that the next start
   * does not scan the chain again (a crashed chain never gets the final checkpoint that would mark it done).
   */
  private _finishReplay(atEnd: boolean): void {
    const replaying = this._replaying!;
    const { position, reader } = replaying;
    const end = reader.consumed;
    if (atEnd && end && (end.segment !== position.segment || end.offset !== position.offset)) {
      try {
        replaying.file.write({ seq: position.seq, final: position.final, ...end });
      } catch (error) {
        this._config.errors.report('ship_cursor', 'could not save the acknowledged export position', error);
      }
    }
    reader.close();
    replaying.file.close();
    releaseChain(this._trail!.dir, replaying.chain);
    this._replaying = undefined;
  }

  private _export(batch: ReadableLogRecord[]): Promise<boolean> {
    return new Promise((resolve) => {
      try {
        this._config.exporter.export(batch, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) {
            this._config.errors.report('ship_failed', 'audit log export failed; will retry', result.error);
          }
          resolve(result.code === ExportResultCode.SUCCESS);
        });
      } catch (error) {
        this._config.errors.report('ship_failed', 'audit log export threw; will retry', error);
        resolve(false);
      }
    });
  }

  private _toLogRecord({ record, line }: SealedRecord): ReadableLogRecord {
    const r = record as Record<string, unknown>;
    const emergency = r.emergency === true;
    const failed = r.type === 'tool_call' && r.success === false;
    const severityNumber = emergency
      ? SeverityNumber.ERROR
      : failed
        ? SeverityNumber.WARN
        : SeverityNumber.INFO;
    const attributes: Record<string, string | number | boolean> = {};
    for (const field of LOG_FIELDS) {
      const value = r[field.field];
      const type = field.kind === 'flag' ? 'boolean' : field.kind === 'integer' ? 'number' : 'string';
      // A flag is carried only when set.
      if (typeof value === type && value !== false)
        attributes[field.log] = value as string | number | boolean;
    }
    const traceId = typeof r.trace_id === 'string' ? r.trace_id : undefined;
    const spanId = typeof r.span_id === 'string' ? r.span_id : undefined;
    return {
      hrTime: isoToHrTime(typeof r.ts === 'string' ? r.ts : undefined),
      hrTimeObserved: millisToHrTime(Date.now()),
      spanContext: traceId && spanId ? { traceId, spanId, traceFlags: TraceFlags.SAMPLED } : undefined,
      severityNumber,
      severityText: SeverityNumber[severityNumber],
      body: line,
      eventName: `tooltrail.audit.${record.type}`,
      resource: this._config.resource,
      instrumentationScope: this._scope,
      attributes,
      droppedAttributesCount: 0,
    };
  }
}

function isFinal(record: SealedRecord['record']): boolean {
  return record.type === 'checkpoint' && (record as Record<string, unknown>).final === true;
}

function isoToHrTime(ts: string | undefined): HrTime {
  // Records come many per millisecond with the same `ts` string: parsed once.
  if (ts === undefined || ts !== lastTs) {
    const millis = ts ? Date.parse(ts) : Number.NaN;
    if (Number.isNaN(millis)) return millisToHrTime(Date.now());
    lastTs = ts;
    lastTsMillis = millis;
  }
  return millisToHrTime(lastTsMillis);
}
let lastTs: string | undefined;
let lastTsMillis = 0;

function millisToHrTime(millis: number): HrTime {
  const seconds = Math.floor(millis / 1000);
  return [seconds, Math.round((millis - seconds * 1000) * 1e6)];
}

// Not unref'd: while a flush waits, the process must stay alive to finish it.
function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
