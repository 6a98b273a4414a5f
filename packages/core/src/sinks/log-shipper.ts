import { type HrTime, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { SealedRecord } from '../chain/hash-chain.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_TOOLTRAIL_CHAIN,
  ATTR_TOOLTRAIL_EMERGENCY,
  ATTR_TOOLTRAIL_RECORD_TYPE,
  ATTR_TOOLTRAIL_RETENTION,
  ATTR_TOOLTRAIL_SEQ,
  ATTR_TOOLTRAIL_SUBJECT,
  ATTR_USER_ID,
  AUDIT_LOG_SCOPE,
} from '../semconv/attributes.js';
import { VERSION } from '../version.js';

export interface LogShipperConfig {
  exporter: LogRecordExporter;
  resource: Resource;
  errors: ErrorHandler;
  /** Records held in memory waiting for export; beyond it they stay only in the trail. @default 20000 */
  maxQueue?: number;
  /** @default 512 */
  maxBatch?: number;
  /** First retry delay; doubles up to 30 s. @default 500 */
  retryMillis?: number;
}

const MAX_RETRY_MILLIS = 30_000;

/**
 * Ships sealed records as OTLP log records whose body is the record's canonical JSON, so Loki and the archive
 * hold exactly what was hashed. Records are already in the local trail when they get here; a failed export is
 * retried with backoff and never given up (the OTel batch processor would drop them).
 */
export class LogShipper {
  shipped = 0;
  /** Records dropped from the in-memory queue because it was full (they remain in the trail). */
  overflowed = 0;
  private readonly _queue: ReadableLogRecord[] = [];
  private readonly _maxQueue: number;
  private readonly _maxBatch: number;
  private _retryMillis: number;
  private _inFlight: Promise<void> | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _backoffUntil = 0;
  private _shutdown = false;
  private readonly _scope = { name: AUDIT_LOG_SCOPE, version: VERSION };

  constructor(private readonly _config: LogShipperConfig) {
    this._maxQueue = _config.maxQueue ?? 20_000;
    this._maxBatch = _config.maxBatch ?? 512;
    this._retryMillis = _config.retryMillis ?? 500;
  }

  get pending(): number {
    return this._queue.length;
  }

  enqueue(sealed: SealedRecord): void {
    if (this._shutdown) return;
    if (this._queue.length >= this._maxQueue) {
      this.overflowed++;
      this._config.errors.report(
        'ship_overflow',
        'audit log export queue is full; records stay in the local trail',
      );
      return;
    }
    this._queue.push(this._toLogRecord(sealed));
    this._schedule(0);
  }

  /** Exports everything queued; resolves when the queue is empty or `timeoutMillis` has passed. */
  async forceFlush(timeoutMillis = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    while (this._queue.length > 0 && Date.now() < deadline) {
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
    }
    if (this._queue.length > 0) {
      this._config.errors.report(
        'ship_timeout',
        `${this._queue.length} audit records not yet exported (kept in the trail)`,
      );
    }
  }

  async shutdown(timeoutMillis = 30_000): Promise<void> {
    if (this._shutdown) return;
    await this.forceFlush(timeoutMillis);
    this._shutdown = true;
    if (this._timer) clearTimeout(this._timer);
    try {
      await this._config.exporter.shutdown();
    } catch (error) {
      this._config.errors.report('ship_shutdown', 'log exporter shutdown failed', error);
    }
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
    if (this._inFlight || this._queue.length === 0) return;
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    const batch = this._queue.slice(0, this._maxBatch);
    this._inFlight = this._export(batch).then((ok) => {
      this._inFlight = undefined;
      if (ok) {
        this._queue.splice(0, batch.length);
        this.shipped += batch.length;
        this._retryMillis = this._config.retryMillis ?? 500;
        this._backoffUntil = 0;
        if (this._queue.length > 0) this._schedule(0);
      } else {
        this._backoffUntil = Date.now() + this._retryMillis;
        this._schedule(this._retryMillis);
        this._retryMillis = Math.min(this._retryMillis * 2, MAX_RETRY_MILLIS);
      }
    });
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
    const attributes: Record<string, string | number | boolean> = {
      [ATTR_TOOLTRAIL_RECORD_TYPE]: record.type,
      [ATTR_TOOLTRAIL_CHAIN]: record.chain,
      [ATTR_TOOLTRAIL_SEQ]: record.seq,
    };
    copyString(attributes, ATTR_TOOLTRAIL_RETENTION, r.retention);
    copyString(attributes, ATTR_GEN_AI_TOOL_NAME, r.tool);
    copyString(attributes, ATTR_TOOLTRAIL_SUBJECT, r.subject);
    copyString(attributes, ATTR_USER_ID, r.user);
    copyString(attributes, ATTR_GEN_AI_CONVERSATION_ID, r.conversation);
    if (emergency) attributes[ATTR_TOOLTRAIL_EMERGENCY] = true;
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

function copyString(target: Record<string, string | number | boolean>, key: string, value: unknown): void {
  if (typeof value === 'string') target[key] = value;
}

function isoToHrTime(ts: string | undefined): HrTime {
  const millis = ts ? Date.parse(ts) : Number.NaN;
  return millisToHrTime(Number.isNaN(millis) ? Date.now() : millis);
}

function millisToHrTime(millis: number): HrTime {
  const seconds = Math.floor(millis / 1000);
  return [seconds, Math.round((millis - seconds * 1000) * 1e6)];
}

// Not unref'd: while a flush waits, the process must stay alive to finish it.
function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
