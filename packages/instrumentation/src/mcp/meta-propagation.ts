import { type Baggage, type Context, context, propagation, trace } from '@opentelemetry/api';
import {
  type AuditContext,
  type AuditTrigger,
  getAuditContext,
  getExplicitAuditContext,
} from '@tooltrail/core';
import { activeAuditor } from '@tooltrail/core/internal';

/**
 * Audit context fields sent to the MCP server as W3C baggage entries in `params._meta.baggage`: identifiers
 * only. `session` (client IP, user agent) stays local, and so does the break-the-glass reason (free text a
 * clinician typed): only the flag `tooltrail.emergency=1` travels, the reason is in the client's own record.
 * What a client sends is a claim, not authentication: the server's own audit context, when it has one, wins
 * field by field.
 */
const BAGGAGE_KEYS = {
  userId: 'tooltrail.user',
  userRole: 'tooltrail.role',
  conversationId: 'tooltrail.conversation',
  turn: 'tooltrail.turn',
  model: 'tooltrail.model',
  trigger: 'tooltrail.trigger',
  purpose: 'tooltrail.purpose',
  emergency: 'tooltrail.emergency',
} as const;

/** The reason a server records for a caller's emergency access: where to read the real one. */
export const EMERGENCY_DECLARED_BY_CALLER =
  "declared by the MCP client (its reason is in the client's record)";

const TRIGGERS: ReadonlySet<string> = new Set(['user_request', 'proactive', 'retry', 'follow_up', 'system']);

type Meta = Record<string, unknown>;

/**
 * Returns a copy of `params` whose `_meta` carries the active trace context (`traceparent`, `tracestate`) and
 * the audit context (`baggage`), the keys the MCP conventions reserve for propagation. The caller's object is
 * never mutated; existing `_meta` keys are kept.
 */
export function withPropagatedMeta<P extends { _meta?: unknown }>(params: P): P {
  const carrier: Record<string, string> = {};
  propagation.inject(withAuditBaggage(context.active()), carrier);
  if (Object.keys(carrier).length === 0) return params;
  const meta = isRecord(params._meta) ? params._meta : {};
  return { ...params, _meta: { ...meta, ...carrier } };
}

function withAuditBaggage(active: Context): Context {
  const audit = getAuditContext();
  let baggage: Baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  let changed = false;
  // Entries already there (the application's, or a caller's from a request's `baggage` header) leave with the
  // MCP request too, maybe to another organisation's server: their values pass the setup's redaction.
  const auditor = activeAuditor();
  if (auditor?.redactText) {
    for (const [key, entry] of baggage.getAllEntries()) {
      const value = auditor.redactText(entry.value);
      if (value === entry.value) continue;
      baggage = baggage.setEntry(key, { ...entry, value });
      changed = true;
    }
  }
  for (const [field, key] of Object.entries(BAGGAGE_KEYS) as [keyof typeof BAGGAGE_KEYS, string][]) {
    const value = field === 'emergency' ? (audit.emergency ? '1' : undefined) : audit[field];
    if (value === undefined || value === null || value === '') continue;
    baggage = baggage.setEntry(key, { value: String(value) });
    changed = true;
  }
  // Only the outgoing request carries these entries: the active context (and other outgoing calls) do not.
  return changed ? propagation.setBaggage(active, baggage) : active;
}

/** What a `tools/call` request's `_meta` says about its caller. */
export interface CallerContext {
  /** Active context with the caller's span as parent (unchanged when `_meta` has no valid `traceparent`). */
  parent: Context;
  /** The audit context the caller sent. */
  claimed: Partial<AuditContext>;
  /** Span id of the caller's span, when `_meta` carried a valid `traceparent`. */
  callerSpanId: string | undefined;
}

/** Reads trace context and audit context from an inbound `_meta`; never throws. */
export function callerFromMeta(meta: unknown): CallerContext {
  const active = context.active();
  if (!isRecord(meta)) return { parent: active, claimed: {}, callerSpanId: undefined };
  const carrier: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate', 'baggage']) {
    const value = meta[key];
    if (typeof value === 'string') carrier[key] = value;
  }
  const extracted = propagation.extract(active, carrier);
  const claimed: Partial<AuditContext> = {};
  let baggage = propagation.getBaggage(extracted);
  if (baggage) {
    const entry = (key: string) => baggage?.getEntry(key)?.value || undefined;
    claimed.userId = entry(BAGGAGE_KEYS.userId);
    claimed.userRole = entry(BAGGAGE_KEYS.userRole);
    claimed.conversationId = entry(BAGGAGE_KEYS.conversationId);
    claimed.model = entry(BAGGAGE_KEYS.model);
    claimed.purpose = entry(BAGGAGE_KEYS.purpose);
    const turn = Number(entry(BAGGAGE_KEYS.turn));
    if (Number.isSafeInteger(turn)) claimed.turn = turn;
    const trigger = entry(BAGGAGE_KEYS.trigger);
    if (trigger && TRIGGERS.has(trigger)) claimed.trigger = trigger as AuditTrigger;
    // Any value is only a flag: free text from the wire (an older client's reason) is not stored.
    if (entry(BAGGAGE_KEYS.emergency)) claimed.emergency = { reason: EMERGENCY_DECLARED_BY_CALLER };
    // The attribution is now in the audit context; it is not forwarded to whatever the tool calls next.
    baggage = baggage.removeEntries(...Object.values(BAGGAGE_KEYS));
  }
  const remote = trace.getSpanContext(extracted);
  const valid = remote !== undefined && trace.isSpanContextValid(remote);
  let parent = valid ? extracted : active;
  if (baggage) parent = propagation.setBaggage(parent, baggage);
  return { parent, claimed: definedOnly(claimed), callerSpanId: valid ? remote.spanId : undefined };
}

/**
 * The claimed fields the local code did not set (local attribution wins). Env defaults (`TOOLTRAIL_USER_ID`, ...)
 * do not count as set: a server process's default must not hide the user its caller names.
 */
export function fillFromClaim(claimed: Partial<AuditContext>): Partial<AuditContext> {
  const local = getExplicitAuditContext();
  const fill: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(claimed)) {
    if ((local as Record<string, unknown>)[key] === undefined) fill[key] = value;
  }
  return fill as Partial<AuditContext>;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function isRecord(value: unknown): value is Meta {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
