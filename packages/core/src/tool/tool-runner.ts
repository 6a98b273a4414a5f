import {
  type Attributes,
  type AttributeValue,
  context,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { auditContextIn } from '../context/audit-context.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import type { AuditPipeline, RecordedToolCall, ToolCallInput } from '../pipeline/audit-pipeline.js';
import { toolName } from '../pipeline/record-fields.js';
import type { OwnValues } from '../processor/own-values.js';
import type { Redactor } from '../redaction/redactor.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_TOOLTRAIL_EMERGENCY,
  ATTR_TOOLTRAIL_TURN,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from '../semconv/attributes.js';
import { CONTEXT_FIELDS, RECORD_ATTRIBUTES } from '../semconv/record-attributes.js';
import type { IntentState, StrictGate, StrictSteps } from '../strict/strict-gate.js';
import type { AuditContext } from '../types.js';
import type { ToolAuditor, ToolRun } from './active-auditor.js';
import { annotateSpan } from './annotate-span.js';
import { CallState, callInput, type Outcome } from './call-input.js';
import { RedactedConstants } from './redacted-constants.js';

/** What `setupToolAudit` hands the runner. */
export interface ToolRunnerOptions {
  pipeline: Pick<AuditPipeline, 'recordToolCall'>;
  redactor: Redactor;
  errors: ErrorHandler;
  /** Fail-closed calls: intent first, refusal when it cannot be made durable. */
  strict: StrictGate;
  /**
   * Spans this runner started, with the values it put on them already redacted: the span processor does not
   * record them twice, nor redact those values again. `expect` announces the span about to start.
   */
  auditedSpans: {
    expect(name: string | undefined, own: OwnValues | undefined): void;
    add(span: object, own: OwnValues): unknown;
  };
  tracerName: string;
  tracerVersion: string;
}

/** Runs audited tools: span, attribution, record, then the span's audit attributes. Never throws its own errors. */
export class ToolRunner implements ToolAuditor {
  private _provider: TracerProvider | undefined;
  private _tracer: Tracer | undefined;
  /** `execute_tool <tool>` per tool name: one string per tool, not one per call (whose hash every lookup redoes). */
  private readonly _spanNames = new Map<string, string>();
  private readonly _pipeline: Pick<AuditPipeline, 'recordToolCall'>;
  private readonly _errors: ErrorHandler;
  private readonly _strict: StrictGate;
  private readonly _constants: RedactedConstants;
  private _lastContext: Readonly<AuditContext> | undefined;
  private _lastContextAttributes: ReadonlyArray<string | number> = [];
  /** The gate's callbacks, made once (no closure per strict call). */
  private readonly _strictSteps: StrictSteps<CallState> = {
    intent: (state) => callInput(state),
    invoke: (state, link) => this._invoke(state, link),
    refused: (state, error, link) => this._finish(state, { ok: false, error }, link),
  };

  constructor(private readonly _options: ToolRunnerOptions) {
    this._pipeline = _options.pipeline;
    this._errors = _options.errors;
    this._strict = _options.strict;
    this._constants = new RedactedConstants(_options.redactor);
  }

  private _spanName(tool: string): string {
    let name = this._spanNames.get(tool);
    if (name === undefined) {
      name = `execute_tool ${tool}`;
      if (tool.length > 256) return name;
      if (this._spanNames.size >= SPAN_NAME_CACHE_LIMIT) this._spanNames.clear();
      this._spanNames.set(tool, name);
    }
    return name;
  }

  /** The global tracer, re-fetched when the global provider object changes (NodeSDK replaces the proxy). */
  private _currentTracer(): Tracer {
    const provider = trace.getTracerProvider();
    if (provider !== this._provider || !this._tracer) {
      this._provider = provider;
      this._tracer = provider.getTracer(this._options.tracerName, this._options.tracerVersion);
    }
    return this._tracer;
  }

  record(input: ToolCallInput): RecordedToolCall | undefined {
    return this._pipeline.recordToolCall(input);
  }

  redactText(text: string): string {
    return this._options.redactor.redactText(text);
  }

  run(call: ToolRun): unknown {
    const state = this._start(call);
    if (call.strict ?? this._strict.enabled) return this._strict.run(call, state, this._strictSteps);
    if (!state) return call.invoke();
    state.prepared = this._prepare(call.args);
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

  private _start(call: ToolRun): CallState | undefined {
    try {
      const parent = context.active();
      const active = auditContextIn(parent);
      // What the framework knows (model, tool call id, conversation) wins; the audit context fills the rest.
      const ctx: Readonly<AuditContext> = call.context ? { ...active, ...definedOnly(call.context) } : active;
      // Values from a small set go on the span already redacted (as the processor would at start and at end),
      // kept in `state.own` so that the processor leaves them while the span holds them.
      const state = new CallState(call, ctx, parent);
      // No spread in the common case (no extra attributes): V8 builds a spread literal in a slow path.
      const attributes: Attributes = call.attributes ? { ...call.attributes } : {};
      if (!call.span) {
        attributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL;
        // The name as the record holds it (a peer or the model may name a tool): kept while the span holds it.
        const tool = toolName(this._options.redactor, call.name);
        attributes[RECORD_ATTRIBUTES.tool.span] = tool;
        state.own.tool = tool;
        state.own.type = this._putOwn(attributes, ATTR_GEN_AI_TOOL_TYPE, call.type ?? 'function');
        if (typeof call.description === 'string' && call.description !== '')
          state.own.description = this._putOwn(attributes, ATTR_GEN_AI_TOOL_DESCRIPTION, call.description);
        else setIf(attributes, ATTR_GEN_AI_TOOL_DESCRIPTION, call.description);
        setIf(attributes, RECORD_ATTRIBUTES.call_id.span, call.callId);
      }
      const pairs = this._contextAttributes(ctx);
      for (let i = 0; i < pairs.length; i += 2) attributes[pairs[i] as string] = pairs[i + 1];
      const turn = ctx.turn;
      if (typeof turn === 'number' && attributes[ATTR_TOOLTRAIL_TURN] === turn)
        state.own.turn = this._putOwn(attributes, ATTR_TOOLTRAIL_TURN, turn);
      setIf(attributes, RECORD_ATTRIBUTES.trigger.span, call.trigger ?? ctx.trigger ?? 'user_request');
      // The subject goes on the span once recorded, as the record holds it (pseudonymised when personal data).
      if (ctx.emergency) state.own.emergency = this._putOwn(attributes, ATTR_TOOLTRAIL_EMERGENCY, true);
      const name = call.span?.name ?? this._spanName(call.name);
      const spans = this._options.auditedSpans;
      spans.expect(name, state.own);
      try {
        state.span = this._currentTracer().startSpan(
          name,
          { kind: call.span?.kind ?? SpanKind.INTERNAL, attributes },
          parent,
        );
        spans.add(state.span, state.own);
      } catch (error) {
        // The application's tracer or span processor threw (an SDK runs processors inside `startSpan`): the call
        // loses its span, never its record.
        this._errors.report('span_start', `could not start the span of tool ${call.name}`, error);
      } finally {
        spans.expect(undefined, undefined);
      }
      state.startTimeMs = Date.now();
      state.startedAt = performance.now();
      return state;
    } catch (error) {
      this._errors.report('tool_start', `could not start auditing tool ${call.name}`, error);
      return undefined;
    }
  }

  /**
   * The call's arguments redacted before the tool runs, as the record will hold them: the work is done while the
   * caches are warm (after a tool's I/O they are not), and the record holds the arguments as they were when the
   * tool was called, whatever it does to them. Undefined when redaction fails: the pipeline then redacts them
   * itself (and falls back to a minimal record if that fails too).
   */
  private _prepare(args: unknown): { args: unknown } | undefined {
    try {
      return { args: this._options.redactor.redactValue(args) };
    } catch {
      return undefined;
    }
  }

  /**
   * The span attributes an audit context fills, as key, value, key, value...: remembered for the last context
   * object (audit contexts are frozen: `withAuditContext`'s and the env defaults'; a merged one is new per call).
   */
  private _contextAttributes(ctx: Readonly<AuditContext>): ReadonlyArray<string | number> {
    if (ctx === this._lastContext) return this._lastContextAttributes;
    const pairs: Array<string | number> = [];
    for (const field of CONTEXT_FIELDS) {
      const value = ctx[field.context];
      if (value === undefined || value === null || value === '') continue;
      pairs.push(field.span, value);
      if (field.spanAlias !== undefined) pairs.push(field.spanAlias, value);
    }
    if (Object.isFrozen(ctx)) {
      this._lastContext = ctx;
      this._lastContextAttributes = pairs;
    }
    return pairs;
  }

  /** Puts `value` under `key` as redaction leaves it; its redacted value, or undefined when the processor redacts it. */
  private _putOwn(
    attributes: Attributes,
    key: string,
    value: string | number | boolean,
  ): AttributeValue | undefined {
    const redacted = this._constants.of(key, value);
    if (redacted === null) {
      attributes[key] = value;
      return undefined;
    }
    attributes[key] = redacted;
    return redacted;
  }

  private _finish(state: CallState, outcome: Outcome, link: IntentState | undefined): void {
    const { span, call } = state;
    try {
      const input = callInput(state, outcome, link);
      const prepared = link?.intent ? { args: link.args } : state.prepared;
      const recorded = this._pipeline.recordToolCall(input, prepared);
      if (recorded) annotateSpan(span, recorded, call.span === undefined, state.own);
      else if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR });
    } catch (error) {
      this._errors.report('tool_finish', `could not record tool ${call.name}`, error);
    } finally {
      try {
        span.end();
      } catch (error) {
        this._errors.report('span_end', 'span end failed', error);
      }
    }
  }
}

const SPAN_NAME_CACHE_LIMIT = 256;

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
