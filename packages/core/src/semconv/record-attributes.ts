import {
  ATTR_ENDUSER_ID,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_TOOLTRAIL_CHAIN,
  ATTR_TOOLTRAIL_CHAIN_HASH,
  ATTR_TOOLTRAIL_CHAIN_ID,
  ATTR_TOOLTRAIL_CHAIN_SEQ,
  ATTR_TOOLTRAIL_EMERGENCY,
  ATTR_TOOLTRAIL_MCP_CLIENT_NAME,
  ATTR_TOOLTRAIL_MCP_SERVER_NAME,
  ATTR_TOOLTRAIL_PURPOSE,
  ATTR_TOOLTRAIL_RECORD_TYPE,
  ATTR_TOOLTRAIL_RETENTION,
  ATTR_TOOLTRAIL_ROLE,
  ATTR_TOOLTRAIL_SEQ,
  ATTR_TOOLTRAIL_SUBJECT,
  ATTR_TOOLTRAIL_TRIGGER,
  ATTR_TOOLTRAIL_TURN,
  ATTR_USER_ID,
} from './attributes.js';

/**
 * How a span carries a record field: `text` (a string; empty means absent), `integer`, `json` (the value's JSON
 * text), `flag` (present only when true), `error` (the error's type; its message is the span status message), or
 * `span` (no attribute: the span's own ids, times or status, or, for `type`, its being an `execute_tool` span).
 */
export type AttributeKind = 'text' | 'integer' | 'json' | 'flag' | 'error' | 'span';

/** The audit-context entries a tool span carries from its start. */
export type ContextKey = 'userId' | 'userRole' | 'conversationId' | 'turn' | 'model' | 'purpose';

/** One record field and the telemetry names that carry it. */
export interface RecordAttribute {
  readonly kind: AttributeKind;
  /** The span attribute that carries the field. */
  readonly span?: string;
  /** A second span attribute for the same field: written too, read after `span`. */
  readonly spanAlias?: string;
  /** The log record attribute (Loki structured metadata) the log shipper copies the field to. */
  readonly log?: string;
  /** The audit-context entry that fills the field: on the tool span from its start, read back from any span. */
  readonly context?: ContextKey;
  /** Put on the tool span once the record is chained, from the sealed record. */
  readonly sealed?: boolean;
  /** An identifier chosen by the integrator or by the audit: kept on spans as given, as in the record. */
  readonly kept?: boolean;
  /** The record holds the field only when it is set (no `null`). */
  readonly optional?: boolean;
}

/**
 * Every field of a `tool_call` record that telemetry carries, in the record's order, with the span attribute and
 * the log attribute that carry it. The tool runner, the span processor, the span-to-record path, the log shipper,
 * the CLI's span readers and the MCP instrumentation all read their names here: a new field is one line.
 */
export const RECORD_ATTRIBUTES = {
  type: { kind: 'span', log: ATTR_TOOLTRAIL_RECORD_TYPE },
  chain: { kind: 'text', span: ATTR_TOOLTRAIL_CHAIN_ID, log: ATTR_TOOLTRAIL_CHAIN, sealed: true, kept: true },
  seq: { kind: 'integer', span: ATTR_TOOLTRAIL_CHAIN_SEQ, log: ATTR_TOOLTRAIL_SEQ, sealed: true, kept: true },
  hash: { kind: 'text', span: ATTR_TOOLTRAIL_CHAIN_HASH, sealed: true, kept: true },
  ts: { kind: 'span' },
  trace_id: { kind: 'span' },
  span_id: { kind: 'span' },
  // Not kept: a tool name may come from the model or a peer (an unknown tool); it passes the value detectors.
  tool: { kind: 'text', span: ATTR_GEN_AI_TOOL_NAME, log: ATTR_GEN_AI_TOOL_NAME },
  call_id: { kind: 'text', span: ATTR_GEN_AI_TOOL_CALL_ID, kept: true },
  args: { kind: 'json', span: ATTR_GEN_AI_TOOL_CALL_ARGUMENTS },
  result: { kind: 'json', span: ATTR_GEN_AI_TOOL_CALL_RESULT },
  success: { kind: 'span' },
  error: { kind: 'error', span: ATTR_ERROR_TYPE },
  duration_ms: { kind: 'span' },
  user: {
    kind: 'text',
    span: ATTR_USER_ID,
    spanAlias: ATTR_ENDUSER_ID,
    log: ATTR_USER_ID,
    context: 'userId',
    kept: true,
  },
  role: { kind: 'text', span: ATTR_TOOLTRAIL_ROLE, context: 'userRole', kept: true },
  conversation: {
    kind: 'text',
    span: ATTR_GEN_AI_CONVERSATION_ID,
    log: ATTR_GEN_AI_CONVERSATION_ID,
    context: 'conversationId',
    kept: true,
  },
  turn: { kind: 'integer', span: ATTR_TOOLTRAIL_TURN, context: 'turn' },
  model: { kind: 'text', span: ATTR_GEN_AI_REQUEST_MODEL, context: 'model', kept: true },
  trigger: { kind: 'text', span: ATTR_TOOLTRAIL_TRIGGER, kept: true },
  purpose: { kind: 'text', span: ATTR_TOOLTRAIL_PURPOSE, context: 'purpose', kept: true },
  subject: {
    kind: 'text',
    span: ATTR_TOOLTRAIL_SUBJECT,
    log: ATTR_TOOLTRAIL_SUBJECT,
    sealed: true,
    kept: true,
  },
  retention: {
    kind: 'text',
    span: ATTR_TOOLTRAIL_RETENTION,
    log: ATTR_TOOLTRAIL_RETENTION,
    sealed: true,
    kept: true,
  },
  emergency: { kind: 'flag', span: ATTR_TOOLTRAIL_EMERGENCY, log: ATTR_TOOLTRAIL_EMERGENCY, optional: true },
  /** MCP: the caller's span, on the server side (the span's parent when the trace context crossed). */
  parent_span_id: { kind: 'span', optional: true },
  /** MCP: the peer's implementation name, on the client side (`mcp_server`) and on the server side (`mcp_client`). */
  mcp_server: { kind: 'text', span: ATTR_TOOLTRAIL_MCP_SERVER_NAME, optional: true },
  mcp_client: { kind: 'text', span: ATTR_TOOLTRAIL_MCP_CLIENT_NAME, optional: true },
} as const satisfies Readonly<Record<string, RecordAttribute>>;

/** A record field the table knows. */
export type RecordField = keyof typeof RECORD_ATTRIBUTES;

/** A table row with its field name. */
export type RecordAttributeRow = RecordAttribute & { readonly field: RecordField };

/** The table as rows, in the record's order; every row has every key, so the loops over them stay monomorphic. */
export const RECORD_FIELDS: readonly RecordAttributeRow[] = Object.entries(RECORD_ATTRIBUTES).map(
  ([field, attribute]: [string, RecordAttribute]) => ({
    field: field as RecordField,
    kind: attribute.kind,
    span: attribute.span,
    spanAlias: attribute.spanAlias,
    log: attribute.log,
    context: attribute.context,
    sealed: attribute.sealed === true,
    kept: attribute.kept === true,
    optional: attribute.optional === true,
  }),
);

/** A row whose field a span attribute carries. */
export type SpanRow = RecordAttributeRow & { readonly span: string };

/** Rows the audit context fills (written at span start, read back from a span). */
export const CONTEXT_FIELDS: readonly (SpanRow & { readonly context: ContextKey })[] = RECORD_FIELDS.filter(
  (row): row is SpanRow & { context: ContextKey } => row.context !== undefined && row.span !== undefined,
);

/** Rows put on the tool span from the sealed record. */
export const SEALED_FIELDS: readonly SpanRow[] = RECORD_FIELDS.filter(
  (row): row is SpanRow => row.sealed === true && row.span !== undefined,
);

/** Rows the log shipper copies onto each log record. */
export const LOG_FIELDS: readonly (RecordAttributeRow & { readonly log: string })[] = RECORD_FIELDS.filter(
  (row): row is RecordAttributeRow & { log: string } => row.log !== undefined,
);

/** The span attribute names of a row: `span`, then `spanAlias`. */
export function spanAttributeNames(row: RecordAttribute): string[] {
  const names: string[] = [];
  if (row.span !== undefined) names.push(row.span);
  if (row.spanAlias !== undefined) names.push(row.spanAlias);
  return names;
}
