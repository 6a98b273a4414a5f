import { type HrTime, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { SealedRecord } from '../chain/hash-chain.js';
import { AUDIT_LOG_SCOPE } from '../semconv/attributes.js';
import { LOG_FIELDS } from '../semconv/record-attributes.js';
import { VERSION } from '../version.js';

const SCOPE = { name: AUDIT_LOG_SCOPE, version: VERSION };

/** The mapping table's log fields with the `typeof` each must have to be carried (worked out once). */
const CARRIED = LOG_FIELDS.map((field) => ({
  field: field.field as string,
  log: field.log,
  type: field.kind === 'flag' ? 'boolean' : field.kind === 'integer' ? 'number' : 'string',
}));

const SEVERITY_TEXT = {
  [SeverityNumber.ERROR]: SeverityNumber[SeverityNumber.ERROR],
  [SeverityNumber.WARN]: SeverityNumber[SeverityNumber.WARN],
  [SeverityNumber.INFO]: SeverityNumber[SeverityNumber.INFO],
} as const;

/** `tooltrail.audit.<type>` per record type: one string per type, not one per record. */
const EVENT_NAMES = new Map<string, string>();

function eventName(type: string): string {
  let name = EVENT_NAMES.get(type);
  if (name === undefined) {
    name = `tooltrail.audit.${type}`;
    if (EVENT_NAMES.size < 64) EVENT_NAMES.set(type, name);
  }
  return name;
}

/**
 * The OTLP log record of a sealed record: its body is the record's canonical JSON line (what was hashed), its
 * attributes are the record fields the mapping table gives a log attribute (Loki structured metadata), its
 * time is the record's `ts`, and it links to the tool span. Emergency access is ERROR, a failed call WARN.
 */
export function toAuditLogRecord({ record, line }: SealedRecord, resource: Resource): ReadableLogRecord {
  const r = record as Record<string, unknown>;
  const emergency = r.emergency === true;
  const failed = r.type === 'tool_call' && r.success === false;
  const severityNumber = emergency
    ? SeverityNumber.ERROR
    : failed
      ? SeverityNumber.WARN
      : SeverityNumber.INFO;
  const attributes: Record<string, string | number | boolean> = {};
  for (let i = 0; i < CARRIED.length; i++) {
    const field = CARRIED[i]!;
    const value = r[field.field];
    // A flag is carried only when set.
    if (typeof value === field.type && value !== false)
      attributes[field.log] = value as string | number | boolean;
  }
  const traceId = typeof r.trace_id === 'string' ? r.trace_id : undefined;
  const spanId = typeof r.span_id === 'string' ? r.span_id : undefined;
  return {
    hrTime: isoToHrTime(typeof r.ts === 'string' ? r.ts : undefined),
    hrTimeObserved: millisToHrTime(Date.now()),
    spanContext: traceId && spanId ? { traceId, spanId, traceFlags: TraceFlags.SAMPLED } : undefined,
    severityNumber,
    severityText: SEVERITY_TEXT[severityNumber],
    body: line,
    eventName: eventName(record.type),
    resource,
    instrumentationScope: SCOPE,
    attributes,
    droppedAttributesCount: 0,
  };
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
