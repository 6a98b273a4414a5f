import { type Context, type Span, trace } from '@opentelemetry/api';
import type { IntentInput, ToolCallInput } from '../pipeline/tool-call-input.js';
import type { OwnValues } from '../processor/own-values.js';
import type { IntentState } from '../strict/strict-gate.js';
import type { AuditContext } from '../types.js';
import type { ToolRun } from './active-auditor.js';

/** How an audited tool call ended. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** An audited call in flight: its span and what was known when it started. */
export interface CallState {
  call: ToolRun;
  span: Span;
  /** The values the runner put on the span already redacted. */
  own: OwnValues;
  ctx: Readonly<AuditContext>;
  startTimeMs: number;
  startedAt: number;
  parent: Context;
}

/**
 * The one place a run's record input is put together: before it runs (the intent record), or finished, with its
 * outcome (the tool call record). One object literal, no copy and no spread.
 */
export function callInput(state: CallState): IntentInput;
export function callInput(state: CallState, outcome: Outcome, link: IntentState | undefined): ToolCallInput;
export function callInput(
  state: CallState,
  outcome?: Outcome,
  link?: IntentState,
): IntentInput | ToolCallInput {
  const durationMs = outcome ? performance.now() - state.startedAt : 0;
  const { call, span } = state;
  const spanContext = span.spanContext();
  const valid = trace.isSpanContextValid(spanContext);
  return {
    tool: call.name,
    callId: call.callId ?? null,
    args: call.args,
    startTimeMs: state.startTimeMs,
    traceId: valid ? spanContext.traceId : undefined,
    spanId: valid ? spanContext.spanId : undefined,
    context: state.ctx,
    subject: call.subject ?? null,
    retention: call.retention,
    trigger: call.trigger ?? null,
    extra: call.resultFields && outcome?.ok ? withResultFields(call, outcome.result) : call.extra,
    outcome,
    durationMs,
    intent: link?.intent,
    executed: link?.executed,
  };
}

/** `extra` plus the fields `resultFields` reads from the result; a throwing reader adds nothing. */
function withResultFields(call: ToolRun, result: unknown): Record<string, unknown> | undefined {
  try {
    const fields = call.resultFields?.(result);
    return fields ? { ...call.extra, ...fields } : call.extra;
  } catch {
    return call.extra;
  }
}
