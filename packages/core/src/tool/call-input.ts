import { type Context, INVALID_SPAN_CONTEXT, type Span, trace } from '@opentelemetry/api';
import type { IntentInput, ToolCallInput } from '../pipeline/tool-call-input.js';
import { OwnValues } from '../processor/own-values.js';
import type { IntentState } from '../strict/strict-gate.js';
import type { AuditContext } from '../types.js';
import type { ToolRun } from './active-auditor.js';

/** How an audited tool call ended. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** A span handle for a call whose span is not started yet (never ended, never exported). */
const NOT_STARTED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** An audited call in flight: its span, what was known when it started, the values put on its span redacted. */
export class CallState {
  span: Span = NOT_STARTED;
  /**
   * The values the runner put on the span already redacted; the span carries this object (not the state) until it
   * is exported, so the call's arguments, result and context are not kept alive with it.
   */
  readonly own = new OwnValues();
  /** The arguments redacted before the tool ran (default mode): recorded as they were when it was called. */
  prepared: { args: unknown } | undefined = undefined;
  /** When the span had started (`Date.now()`, `performance.now()`). */
  startTimeMs = 0;
  startedAt = 0;

  constructor(
    readonly call: ToolRun,
    readonly ctx: Readonly<AuditContext>,
    readonly parent: Context,
  ) {}
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
