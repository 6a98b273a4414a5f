import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { getAuditContext } from '../context/audit-context.js';
import type {
  AuditPipeline,
  IntentInput,
  IntentLink,
  IntentWrite,
  RecordedToolCall,
  ToolCallInput,
} from '../pipeline/audit-pipeline.js';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_TYPE,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from '../semconv/attributes.js';
import { CONTEXT_FIELDS, RECORD_ATTRIBUTES, SEALED_FIELDS } from '../semconv/record-attributes.js';
import { AuditUnavailableError, type AuditUnavailableReason } from '../strict/audit-unavailable-error.js';
import type { AuditContext } from '../types.js';
import type { ToolAuditor, ToolRun } from './active-auditor.js';

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

interface CallState {
  call: ToolRun;
  span: Span;
  ctx: Readonly<AuditContext>;
  startTimeMs: number;
  startedAt: number;
  parent: Context;
}

/** Strict (fail-closed) settings of a runner. */
export interface StrictSettings {
  /** Default for tools that do not say. */
  enabled: boolean;
  timeoutMillis: number;
}

/** What links a strict call's result record to its intent. */
interface IntentState {
  intent?: IntentLink;
  args?: unknown;
  executed?: boolean;
}

/** Runs audited tools: span, attribution, record, then the span's audit attributes. Never throws its own errors. */
export class ToolRunner implements ToolAuditor {
  private _provider: TracerProvider | undefined;
  private _tracer: Tracer | undefined;

  constructor(
    private readonly _pipeline: AuditPipeline,
    private readonly _tracerName: string,
    private readonly _tracerVersion: string,
    private readonly _auditedSpans: { add(span: object): unknown },
    private readonly _strict: StrictSettings = { enabled: false, timeoutMillis: 2000 },
  ) {}

  /** Strict calls refused because their intent could not be made durable. */
  refused = 0;

  /** The global tracer, re-fetched when the global provider object changes (NodeSDK replaces the proxy). */
  private _currentTracer(): Tracer {
    const provider = trace.getTracerProvider();
    if (provider !== this._provider || !this._tracer) {
      this._provider = provider;
      this._tracer = provider.getTracer(this._tracerName, this._tracerVersion);
    }
    return this._tracer;
  }

  record(input: ToolCallInput): RecordedToolCall | undefined {
    return this._pipeline.recordToolCall(input);
  }

  redactText(text: string): string {
    return this._pipeline.redactor.redactText(text);
  }

  run(call: ToolRun): unknown {
    const state = this._start(call);
    if (call.strict ?? this._strict.enabled) return this._runStrict(call, state);
    if (!state) return call.invoke();
    return this._invoke(state, undefined);
  }

  private _invoke(state: CallState, link: IntentState | undefined): unknown {
    let result: unknown;
    try {
      result = context.with(trace.setSpan(state.parent, state.span), state.call.invoke);
    } catch (error) {
      this._finish(state, { ok: false, error }, link);
      throw error;
    }
    if (isThenable(result)) {
      // A native promise is chained; any other thenable is adopted once, as `await` would.
      const promise = result instanceof Promise ? result : Promise.resolve(result);
      return promise.then(
        (value) => {
          this._finish(state, { ok: true, result: value }, link);
          return value;
        },
        (error: unknown) => {
          this._finish(state, { ok: false, error }, link);
          throw error;
        },
      );
    }
    this._finish(state, { ok: true, result }, link);
    return result;
  }

  /**
   * Fail closed: the intent is written and fdatasync'ed before the tool runs. Async tools wait for the sync
   * off the main thread, raced against the timeout; a sync tool's write blocks and is judged afterwards.
   */
  private _runStrict(call: ToolRun, state: CallState | undefined): unknown {
    const isAsync = call.async === true;
    if (!state) return this._refuse(call, undefined, 'not_recorded', undefined, isAsync, undefined);
    const started = performance.now();
    let write: IntentWrite;
    try {
      write = this._pipeline.recordIntent(intentInput(state), !isAsync);
    } catch (error) {
      return this._refuse(call, state, 'not_recorded', error, isAsync, undefined);
    }
    const link: IntentState = { intent: write.link, args: write.args };
    const { timeoutMillis } = this._strict;
    if (!isAsync) {
      if (write.durable !== true)
        return this._refuse(call, state, 'write_failed', this._pipeline.lastTrailError, false, link);
      if (performance.now() - started > timeoutMillis)
        return this._refuse(call, state, 'timeout', undefined, false, link);
      return this._invoke(state, link);
    }
    return raceTimeout(write.durable as Promise<void>, timeoutMillis).then(
      () => this._invoke(state, link),
      (error: unknown) =>
        error === TIMED_OUT
          ? this._refuse(call, state, 'timeout', undefined, true, link)
          : this._refuse(call, state, 'write_failed', error, true, link),
    );
  }

  private _refuse(
    call: ToolRun,
    state: CallState | undefined,
    reason: AuditUnavailableReason,
    cause: unknown,
    isAsync: boolean,
    link: IntentState | undefined,
  ): never | Promise<never> {
    this.refused++;
    const error = new AuditUnavailableError(call.name, reason, {
      cause,
      timeoutMillis: this._strict.timeoutMillis,
    });
    this._pipeline.errors.report('strict_refused', error.message, cause);
    // The refusal closes the intent, when the trail takes it: the verifier then sees no open call.
    if (state) this._finish(state, { ok: false, error }, { ...link, executed: false });
    if (isAsync) return Promise.reject(error);
    throw error;
  }

  private _start(call: ToolRun): CallState | undefined {
    try {
      const active = getAuditContext();
      // What the framework knows (model, tool call id, conversation) wins; the audit context fills the rest.
      const ctx: Readonly<AuditContext> = call.context ? { ...active, ...definedOnly(call.context) } : active;
      // No spread in the common case (no extra attributes): V8 builds a spread literal in a slow path.
      const attributes: Attributes = call.attributes ? { ...call.attributes } : {};
      if (!call.span) {
        attributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL;
        attributes[RECORD_ATTRIBUTES.tool.span] = call.name;
        attributes[ATTR_GEN_AI_TOOL_TYPE] = call.type ?? 'function';
        setIf(attributes, ATTR_GEN_AI_TOOL_DESCRIPTION, call.description);
        setIf(attributes, RECORD_ATTRIBUTES.call_id.span, call.callId);
      }
      for (const field of CONTEXT_FIELDS) {
        const value = ctx[field.context];
        setIf(attributes, field.span, value);
        if (field.spanAlias !== undefined) setIf(attributes, field.spanAlias, value);
      }
      setIf(attributes, RECORD_ATTRIBUTES.trigger.span, call.trigger ?? ctx.trigger ?? 'user_request');
      // The subject goes on the span once recorded, as the record holds it (pseudonymised when personal data).
      if (ctx.emergency) attributes[RECORD_ATTRIBUTES.emergency.span] = true;
      const span = this._currentTracer().startSpan(call.span?.name ?? `execute_tool ${call.name}`, {
        kind: call.span?.kind ?? SpanKind.INTERNAL,
        attributes,
      });
      this._auditedSpans.add(span);
      return {
        call,
        span,
        ctx,
        startTimeMs: Date.now(),
        startedAt: performance.now(),
        parent: context.active(),
      };
    } catch (error) {
      this._pipeline.errors.report('tool_start', `could not start auditing tool ${call.name}`, error);
      return undefined;
    }
  }

  private _finish(state: CallState, outcome: Outcome, link: IntentState | undefined): void {
    const { span, call } = state;
    try {
      const input: ToolCallInput = toolCallInput(state, outcome, link);
      const recorded = this._pipeline.recordToolCall(input, link?.intent ? { args: link.args } : undefined);
      if (recorded) annotate(span, recorded, call.span === undefined);
      else if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR });
    } catch (error) {
      this._pipeline.errors.report('tool_finish', `could not record tool ${call.name}`, error);
    } finally {
      try {
        span.end();
      } catch (error) {
        this._pipeline.errors.report('span_end', 'span end failed', error);
      }
    }
  }
}

function annotate(span: Span, recorded: RecordedToolCall, toolSpan: boolean): void {
  const record = recorded.sealed.record as Record<string, unknown>;
  const attributes: Attributes = {};
  for (const field of SEALED_FIELDS) {
    const value = record[field.field];
    if (typeof value === 'string' || typeof value === 'number') attributes[field.span] = value;
  }
  // The GenAI argument and result attributes belong to `execute_tool` spans only.
  if (toolSpan) {
    attributes[RECORD_ATTRIBUTES.args.span] = recorded.argsJson;
    attributes[RECORD_ATTRIBUTES.result.span] = recorded.resultJson;
  }
  span.setAttributes(attributes);
  if (recorded.error) {
    span.setAttribute(RECORD_ATTRIBUTES.error.span, recorded.error.type);
    span.addEvent('exception', {
      [ATTR_EXCEPTION_TYPE]: recorded.error.type,
      [ATTR_EXCEPTION_MESSAGE]: recorded.error.message,
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: recorded.error.message });
  }
}

/** The call as known before it runs: what the intent record and the result record share. */
function intentInput(state: CallState): IntentInput {
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
    extra: call.extra,
  };
}

/** The finished call: `intentInput` plus the outcome, in one object literal (no copy, no spread). */
function toolCallInput(state: CallState, outcome: Outcome, link: IntentState | undefined): ToolCallInput {
  const { call, span } = state;
  const durationMs = performance.now() - state.startedAt;
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
    extra: call.resultFields && outcome.ok ? withResultFields(call, outcome.result) : call.extra,
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

const TIMED_OUT = Symbol('timed out');

/** Resolves with `promise`, or rejects with TIMED_OUT after `millis` (the timer keeps the caller alive). */
function raceTimeout(promise: Promise<void>, millis: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(TIMED_OUT), millis);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function definedOnly(ctx: Readonly<Partial<AuditContext>>): Partial<AuditContext> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ctx)) if (value !== undefined) out[key] = value;
  return out as Partial<AuditContext>;
}

function setIf(attributes: Attributes, key: string, value: string | number | undefined | null): void {
  if (value !== undefined && value !== null && value !== '') attributes[key] = value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  try {
    return (
      value !== null &&
      (typeof value === 'object' || typeof value === 'function') &&
      typeof (value as { then?: unknown }).then === 'function'
    );
  } catch {
    // A proxy whose `then` trap throws: hand it back untouched, as a plain value.
    return false;
  }
}
