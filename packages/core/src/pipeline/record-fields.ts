import type { RetentionPolicy } from '../config/retention.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import type { ResultSummarizer } from '../record/result-summary.js';
import type { Redactor } from '../redaction/redactor.js';
import { cleanAttribution as clean } from './clean-attribution.js';
import { recordSubject, type SubjectPolicy } from './record-subject.js';
import { roundMillis } from './record-time.js';
import type { IntentInput, ToolCallInput } from './tool-call-input.js';

/** What `RecordFields` needs: the setup's redaction, result summary, retention and subject settings. */
export interface RecordFieldsOptions {
  redactor: Redactor;
  summarizer: ResultSummarizer;
  retention: RetentionPolicy;
  errors: ErrorHandler;
  /** Argument key → subject kind, for calls whose subject was not given (e.g. `patient_id` → `patient:<id>`). */
  subjectKeys?: Readonly<Record<string, string>>;
  /** Every subject a keyed pseudonym (`patient:hmac:<key-id>:<hex>`), not only those from redacted values. */
  subjectPseudonyms?: boolean;
}

/** Builds the fields of tool call and intent records from a call's input: attribution, subject, retention. */
export class RecordFields {
  readonly redactor: Redactor;
  private readonly _subjects: SubjectPolicy;

  constructor(private readonly _options: RecordFieldsOptions) {
    this.redactor = _options.redactor;
    this._subjects = {
      redactor: _options.redactor,
      subjectKeys: _options.subjectKeys,
      pseudonymizeAll: _options.subjectPseudonyms,
    };
  }

  /** A subject given without arguments (a span's `tooltrail.subject`), as a record would hold it. */
  subjectOf(given: unknown): string | null {
    return recordSubject(this._subjects, given, undefined);
  }

  /** The fields every tool call and intent record carries besides its arguments and outcome. */
  attribution(input: IntentInput): Record<string, unknown> {
    const redactor = this.redactor;
    const ctx = input.context;
    const fields: Record<string, unknown> = {
      trace_id: input.traceId ?? null,
      span_id: input.spanId ?? null,
      tool: toolName(redactor, input.tool),
      call_id: clean(input.callId),
      user: clean(ctx.userId),
      role: clean(ctx.userRole),
      conversation: clean(ctx.conversationId),
      turn: typeof ctx.turn === 'number' && Number.isFinite(ctx.turn) ? ctx.turn : null,
      model: clean(ctx.model),
      trigger: clean(input.trigger ?? ctx.trigger) ?? 'user_request',
      purpose: clean(ctx.purpose),
      subject: recordSubject(this._subjects, input.subject ?? undefined, input.args),
      retention: this._retentionFor(input.tool, input.retention),
    };
    if (ctx.session) fields.session = redactor.redactValue(ctx.session);
    if (ctx.emergency) {
      fields.emergency = true;
      fields.emergency_reason = redactor.redactText(String(ctx.emergency.reason ?? ''));
    }
    // Extra fields go under the standard ones, which win on a clash (as `{ ...extra, trace_id, ... }` did).
    // The literal above has no spread: V8 builds an object literal that starts with a spread in a slow path.
    return input.extra
      ? withExtra(redactor.redactValue(input.extra) as Record<string, unknown>, fields)
      : fields;
  }

  /** The result summary of a successful call. */
  summarize(result: unknown): unknown {
    try {
      return this._options.summarizer.summarize(result);
    } catch {
      // A value that defeats inspection (e.g. a revoked proxy) is still a successful call.
      return { success: true, size: null, truncated: true, unserializable: true };
    }
  }

  /** Last resort when a call's values defeat redaction: what is known for sure, nothing from the values. */
  minimal(input: ToolCallInput): Record<string, unknown> {
    const error = input.outcome.ok ? null : { type: 'unknown', message: '[unserializable]' };
    const result = input.outcome.ok ? { success: true, size: null, truncated: true } : null;
    const fields: Record<string, unknown> = {
      trace_id: typeof input.traceId === 'string' ? input.traceId : null,
      span_id: typeof input.spanId === 'string' ? input.spanId : null,
      tool: toolName(this.redactor, input.tool),
      call_id: null,
      args: '[unserializable]',
      result,
      success: input.outcome.ok,
      error,
      duration_ms: Number.isFinite(input.durationMs) ? roundMillis(input.durationMs) : 0,
      user: null,
      role: null,
      conversation: null,
      turn: null,
      model: null,
      trigger: 'user_request',
      purpose: null,
      subject: null,
      retention: this._options.retention.classFor('', undefined),
      unserializable: true,
    };
    if (input.intent) {
      fields.intent_seq = input.intent.seq;
      fields.intent_hash = input.intent.hash;
    }
    return fields;
  }

  private _retentionFor(tool: string, override: string | undefined): string {
    const policy = this._options.retention;
    if (override !== undefined && !policy.classes[override]) {
      this._options.errors.report(
        'retention_unknown',
        `tool ${tool}: unknown retention class ${JSON.stringify(override)}`,
      );
    }
    return policy.classFor(tool, override);
  }
}

/**
 * A tool's name through the value detectors (cached: names repeat). The integrator names its tools, but not every
 * name recorded is one of them: the model may request a tool that does not exist (recorded as an invalid call), an
 * MCP client may call one by any name. A name with nothing a detector finds is kept exactly as given.
 */
export function toolName(redactor: Redactor, tool: unknown): string {
  const name = typeof tool === 'string' ? clean(tool) : null;
  return name === null || name === '' ? 'unknown' : redactor.redactKey(name);
}

/** `{ ...extra, ...fields }`: the redacted extra fields first, then the standard fields over them. */
function withExtra(extra: unknown, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...(extra as Record<string, unknown>), ...fields };
}
