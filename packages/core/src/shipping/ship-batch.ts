import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { SealedRecord } from '../chain/hash-chain.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import type { ShipPosition, ShipPositionFile } from '../trail/ship-cursor.js';
import type { TrailOffset, TrailRecord } from '../trail/trail-reader.js';

/** Log records handed to the exporter in one call, and the position they move the chain's cursor to. */
export interface ShipBatch {
  chain: string;
  /** An older chain being replayed; otherwise this process's chain (live or read back). */
  replay: boolean;
  lastSeq: number;
  final: boolean;
  /** Where the line after the batch starts in the trail, when it was read from there. */
  next?: TrailOffset;
  logs: ReadableLogRecord[];
}

/** Turns a sealed record into the log record that is exported. */
export type ToLogRecord = (sealed: SealedRecord) => ReadableLogRecord;

/** A batch of records read from the trail (non-empty). */
export function trailBatch(
  chain: string,
  replay: boolean,
  records: TrailRecord[],
  toLogRecord: ToLogRecord,
): ShipBatch {
  const last = records[records.length - 1]!;
  return {
    chain,
    replay,
    lastSeq: last.record.seq,
    final: isFinal(last.record),
    next: { segment: last.segment, offset: last.end },
    logs: records.map((sealed) => toLogRecord(sealed)),
  };
}

/** The cursor position once `batch` is acknowledged. */
export function positionAfter(batch: ShipBatch): ShipPosition {
  return { seq: batch.lastSeq, final: batch.final, ...batch.next };
}

/** Writes a cursor position; a failure is reported, never thrown (it can only cause duplicates later). */
export function savePosition(
  file: ShipPositionFile | undefined,
  position: ShipPosition,
  errors: ErrorHandler,
): void {
  try {
    file?.write(position);
  } catch (error) {
    errors.report('ship_cursor', 'could not save the acknowledged export position', error);
  }
}

/** The chain's final checkpoint: after it, nothing of the chain is left to ship. */
export function isFinal(record: SealedRecord['record']): boolean {
  return record.type === 'checkpoint' && (record as Record<string, unknown>).final === true;
}
