import {
  ATTR_GEN_AI_OPERATION_NAME,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  RECORD_FIELDS,
  type RecordAttributeRow,
  spanAttributeNames,
} from '@tooltrail/core/internal';

/** OTLP JSON attribute as Tempo returns it. */
export interface OtlpAttribute {
  key: string;
  value?: {
    stringValue?: string;
    intValue?: string | number;
    boolValue?: boolean;
    doubleValue?: number;
  };
}

export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpAttribute[];
  status?: { code?: string | number; message?: string };
}

/** Tempo returns ids as hex or (protobuf JSON) base64: always hex out. */
export function hexId(id: string | undefined): string | null {
  if (!id) return null;
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function attributeMap(attributes: OtlpAttribute[] = []): Map<string, string | number | boolean> {
  const map = new Map<string, string | number | boolean>();
  for (const { key, value } of attributes) {
    if (!value) continue;
    if (value.stringValue !== undefined) map.set(key, value.stringValue);
    else if (value.intValue !== undefined) map.set(key, Number(value.intValue));
    else if (value.boolValue !== undefined) map.set(key, value.boolValue);
    else if (value.doubleValue !== undefined) map.set(key, value.doubleValue);
  }
  return map;
}

function json(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Rebuilds a tool-call row from an `execute_tool` span: the same field names, in the same order, as the audit
 * record (core's record ↔ attribute table) so timeline, query and stats work unchanged. It has no `prev` of its
 * own: it is a view, not evidence.
 */
export function spanToRecord(span: OtlpSpan): Record<string, unknown> | undefined {
  const attributes = attributeMap(span.attributes);
  if (attributes.get(ATTR_GEN_AI_OPERATION_NAME) !== GEN_AI_OPERATION_EXECUTE_TOOL) return undefined;
  const start = BigInt(span.startTimeUnixNano ?? 0);
  const end = BigInt(span.endTimeUnixNano ?? span.startTimeUnixNano ?? 0);
  const failed = span.status?.code === 2 || span.status?.code === 'STATUS_CODE_ERROR';
  // What the span carries itself (ids, times, status), and the tool name its own name gives.
  const own: Record<string, unknown> = {
    type: 'tool_call',
    ts: new Date(Number(start / 1_000_000n)).toISOString(),
    trace_id: hexId(span.traceId),
    span_id: hexId(span.spanId),
    tool: span.name?.replace(/^execute_tool /, ''),
    success: !failed,
    duration_ms: Number(end - start) / 1e6,
    // MCP: what pairs the two sides of a call exactly (the server span's parent is the client span when the
    // trace context crossed in params._meta).
    parent_span_id: span.parentSpanId ? hexId(span.parentSpanId) : undefined,
  };
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const carried =
      field.kind === 'error' ? errorOf(field, attributes, failed, span) : read(field, attributes);
    const value = carried ?? own[field.field] ?? (field.optional ? undefined : null);
    if (value !== undefined) record[field.field] = value;
  }
  return record;
}

type AttributeValues = Map<string, string | number | boolean>;

/** The field as its span attribute carries it; undefined when absent. */
function read(field: RecordAttributeRow, attributes: AttributeValues): unknown {
  for (const name of spanAttributeNames(field)) {
    const value = attributes.get(name);
    if (value === undefined) continue;
    if (field.kind === 'integer') return typeof value === 'number' ? value : undefined;
    if (field.kind === 'flag') return value === true ? true : undefined;
    if (field.kind === 'json') return json(value);
    return String(value);
  }
  return field.kind === 'json' ? null : undefined;
}

function errorOf(
  field: RecordAttributeRow,
  attributes: AttributeValues,
  failed: boolean,
  span: OtlpSpan,
): { type: string; message: string } | null {
  if (!failed) return null;
  const type = field.span === undefined ? undefined : attributes.get(field.span);
  return { type: type === undefined ? 'error' : String(type), message: span.status?.message ?? '' };
}
