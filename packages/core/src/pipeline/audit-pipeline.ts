import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { appendCheckpoint } from '../chain/checkpoint.js';
import { HashChain, type SealedRecord } from '../chain/hash-chain.js';
import type { CapturedMembers } from '../chain/record-hash.js';
import type { RetentionPolicy } from '../config/retention.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import type { LoadedSigningKey } from '../keys/signing-key.js';
import type { ResultSummarizer } from '../record/result-summary.js';
import { cutText } from '../redaction/cut-text.js';
import type { Redactor } from '../redaction/redactor.js';
import type { LocalTrail } from '../sinks/local-trail.js';
import type { LogShipper } from '../shipping/log-shipper.js';
import { recordSubject, type SubjectPolicy } from './record-subject.js';
import { toolCallFromSpan } from './tool-call-from-span.js';
import type { IntentInput, IntentLink, ToolCallInput } from './tool-call-input.js';

export type { IntentInput, IntentLink, ToolCallInput } from './tool-call-input.js';

/** A sealed intent and how its durable write went. */
export interface IntentWrite {
  link: IntentLink;
  /** The redacted arguments (reused for the tool call record). */
  args: unknown;
  /** Sync write: whether it is durable. Async: resolves when durable, rejects on failure. */
  durable: boolean | Promise<void>;
}

/** What a recorded call produced, for the span. */
export interface RecordedToolCall {
  sealed: SealedRecord;
  /** The redacted arguments as JSON: the canonical JSON stored in the record (keys sorted). */
  argsJson: string;
  /** The result summary as JSON, likewise. */
  resultJson: string;
  error: { type: string; message: string } | null;
}

export interface AuditPipelineConfig {
  chainId: string;
  redactor: Redactor;
  summarizer: ResultSummarizer;
  retention: RetentionPolicy;
  trail: LocalTrail;
  shipper?: LogShipper;
  signingKey: LoadedSigningKey;
  checkpointEveryRecords: number;
  checkpointEveryMillis: number;
  errors: ErrorHandler;
  /** Argument key → subject kind, for calls whose subject was not given (e.g. `patient_id` → `patient:<id>`). */
  subjectKeys?: Readonly<Record<string, string>>;
  /** Every subject a keyed pseudonym (`patient:hmac:<key-id>:<hex>`), not only those from redacted values. */
  subjectPseudonyms?: boolean;
}

/**
 * Redaction → record → hash chain → local trail → log export, in that order, synchronously up to the trail
 * write (so a record is on disk before the tool returns), plus signed checkpoints every N records / T ms.
 */
export class AuditPipeline {
  readonly chain: HashChain;
  private readonly _subjects: SubjectPolicy;
  private _sinceCheckpoint = 0;
  private _timer: NodeJS.Timeout | undefined;
  private _closed = false;

  constructor(readonly config: AuditPipelineConfig) {
    this.chain = new HashChain({ id: config.chainId });
    this._subjects = {
      redactor: config.redactor,
      subjectKeys: config.subjectKeys,
      pseudonymizeAll: config.subjectPseudonyms,
    };
    if (config.checkpointEveryMillis > 0) {
      // Also when idle: a running chain always has a checkpoint younger than the interval, which is how a
      // verifier tells a live chain (`--live`) from one that was cut or rolled back.
      this._timer = setInterval(() => {
        if (this.chain.nextSeq > 0) this.checkpoint(false);
      }, config.checkpointEveryMillis);
      this._timer.unref();
    }
  }

  get closed(): boolean {
    return this._closed;
  }

  get redactor(): Redactor {
    return this.config.redactor;
  }

  get errors(): ErrorHandler {
    return this.config.errors;
  }

  /** Why the trail's last write failed (the `cause` of a strict refusal). */
  get lastTrailError(): unknown {
    return this.config.trail.lastError;
  }

  /**
   * Redacts, seals and stores one tool call. Returns undefined (and reports) if it could not be sealed; if the
   * call's values defeat redaction, a minimal record (tool, outcome, attribution) is stored instead.
   * `prepared.args`: arguments already redacted (for the intent record) are not redacted twice.
   */
  recordToolCall(input: ToolCallInput, prepared?: { args: unknown }): RecordedToolCall | undefined {
    const seqBefore = this.chain.nextSeq;
    try {
      const { redactor } = this.config;
      const args = prepared ? prepared.args : redactor.redactValue(input.args);
      const result = input.outcome.ok ? this._summarize(input.outcome.result) : null;
      const error = input.outcome.ok ? null : describeError(input.outcome.error, redactor);
      const fields = this._attribution(input);
      fields.args = args;
      fields.result = result;
      fields.success = input.outcome.ok;
      fields.error = error;
      fields.duration_ms = roundMillis(input.durationMs);
      if (input.intent) {
        fields.intent_seq = input.intent.seq;
        fields.intent_hash = input.intent.hash;
      }
      if (input.executed === false) fields.executed = false;
      // `fields` was built for this record alone: sealed in place, not copied. The span's argument and result
      // attributes are the canonical JSON written into the record (no second serialisation).
      const captured: CapturedMembers = {};
      const sealed = this._append('tool_call', isoTime(input.startTimeMs), fields, false, captured);
      if (!sealed) return undefined;
      return {
        sealed,
        argsJson: captured.args ?? JSON.stringify(args),
        resultJson: captured.result ?? JSON.stringify(result),
        error,
      };
    } catch (error) {
      this.config.errors.report('record_failed', `could not record tool call ${input.tool}`, error);
      // Fall back only if nothing was sealed: a failure after the chain advanced is not recorded twice.
      return this.chain.nextSeq === seqBefore ? this._recordMinimal(input) : undefined;
    }
  }

  /**
   * Seals the `intent` record of a strict call (who, which tool, redacted arguments) and writes it durably:
   * `sync` blocks on write + fdatasync and returns whether it worked; otherwise `durable` resolves once
   * fdatasync is done. Throws when the record could not be sealed or the pipeline is shut down.
   */
  recordIntent(input: IntentInput, sync: boolean): IntentWrite {
    if (this._closed) throw new Error('tooltrail: the audit pipeline is shut down');
    const args = this.config.redactor.redactValue(input.args);
    const fields = this._attribution(input);
    fields.args = args;
    if (this.chain.nextSeq === 0) this._genesis();
    const sealed = this.chain.appendOwned('intent', isoTime(input.startTimeMs), fields);
    const trail = this.config.trail;
    const durable = sync ? trail.append(sealed.line, true) : trail.appendDurable(sealed.line);
    this.config.shipper?.enqueue(sealed);
    if (++this._sinceCheckpoint >= this.config.checkpointEveryRecords) this.checkpoint(false);
    return { link: { seq: sealed.record.seq, hash: sealed.record.hash }, args, durable };
  }

  /** Records an `execute_tool` span from another instrumentation (before its attributes are redacted). */
  recordSpan(span: ReadableSpan): RecordedToolCall | undefined {
    return this.recordToolCall(toolCallFromSpan(span));
  }

  /** Signs and appends a checkpoint now. */
  checkpoint(final: boolean): SealedRecord | undefined {
    if (this._closed) return undefined;
    try {
      if (this.chain.nextSeq === 0 && !this._genesis()) return undefined;
      const sealed = appendCheckpoint(this.chain, this.config.signingKey, {
        everyRecords: this.config.checkpointEveryRecords,
        everyMillis: this.config.checkpointEveryMillis,
        final,
        ts: new Date().toISOString(),
      });
      this._sinceCheckpoint = 0;
      this._store(sealed, final);
      return sealed;
    } catch (error) {
      this.config.errors.report('checkpoint_failed', 'could not write a signed checkpoint', error);
      return undefined;
    }
  }

  /**
   * Writes the chain's signed genesis checkpoint (seq 0) before its first record. False when it could not be
   * signed: the caller's record is then still written (an unsigned chain is a verification problem, a lost record
   * is worse).
   */
  private _genesis(): boolean {
    try {
      const sealed = appendCheckpoint(this.chain, this.config.signingKey, {
        everyRecords: this.config.checkpointEveryRecords,
        everyMillis: this.config.checkpointEveryMillis,
        final: false,
        ts: new Date().toISOString(),
      });
      this._store(sealed, false);
      return true;
    } catch (error) {
      this.config.errors.report('checkpoint_failed', 'could not write the signed genesis checkpoint', error);
      return false;
    }
  }

  async forceFlush(): Promise<void> {
    this.config.trail.sync();
    await this.config.shipper?.forceFlush();
  }

  /** Writes the final checkpoint, flushes and closes. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this._closed) return;
    if (this._timer) clearInterval(this._timer);
    this.checkpoint(true);
    this._closed = true;
    this.config.trail.close();
    await this.config.shipper?.shutdown();
  }

  private _append(
    type: string,
    ts: string,
    fields: Record<string, unknown>,
    durable = false,
    /** Set when `fields` was built for this record alone (sealed in place); receives `args`/`result` JSON. */
    owned?: CapturedMembers,
  ): SealedRecord | undefined {
    if (this._closed) {
      this.config.errors.report(
        'after_shutdown',
        `a ${type} record arrived after shutdown and was not recorded`,
      );
      return undefined;
    }
    if (this.chain.nextSeq === 0) this._genesis();
    const sealed = owned
      ? this.chain.appendOwned(type, ts, fields, owned)
      : this.chain.append(type, ts, fields);
    this._store(sealed, durable);
    if (++this._sinceCheckpoint >= this.config.checkpointEveryRecords) this.checkpoint(false);
    return sealed;
  }

  private _store(sealed: SealedRecord, durable: boolean): boolean {
    // The chain already advanced: a record the trail could not store shows up to the verifier as a gap.
    const stored = this.config.trail.append(sealed.line, durable);
    this.config.shipper?.enqueue(sealed);
    return stored;
  }

  /** The fields every tool call and intent record carries besides its arguments and outcome. */
  private _attribution(input: IntentInput): Record<string, unknown> {
    const { redactor } = this.config;
    const ctx = input.context;
    const fields: Record<string, unknown> = {
      trace_id: input.traceId ?? null,
      span_id: input.spanId ?? null,
      tool: clean(input.tool) ?? 'unknown',
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

  private _summarize(result: unknown): unknown {
    try {
      return this.config.summarizer.summarize(result);
    } catch {
      // A value that defeats inspection (e.g. a revoked proxy) is still a successful call.
      return { success: true, size: null, truncated: true, unserializable: true };
    }
  }

  /** Last resort when a call's values defeat redaction: what is known for sure, nothing from the values. */
  private _recordMinimal(input: ToolCallInput): RecordedToolCall | undefined {
    try {
      const error = input.outcome.ok ? null : { type: 'unknown', message: '[unserializable]' };
      const result = input.outcome.ok ? { success: true, size: null, truncated: true } : null;
      const fields: Record<string, unknown> = {
        trace_id: typeof input.traceId === 'string' ? input.traceId : null,
        span_id: typeof input.spanId === 'string' ? input.spanId : null,
        tool: typeof input.tool === 'string' ? (clean(input.tool) ?? 'unknown') : 'unknown',
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
        retention: this.config.retention.classFor('', undefined),
        unserializable: true,
      };
      if (input.intent) {
        fields.intent_seq = input.intent.seq;
        fields.intent_hash = input.intent.hash;
      }
      const sealed = this._append('tool_call', isoTime(input.startTimeMs), fields, false, {});
      if (!sealed) return undefined;
      return { sealed, argsJson: '"[unserializable]"', resultJson: JSON.stringify(result), error };
    } catch (error) {
      this.config.errors.report('record_failed', `could not record tool call ${String(input.tool)}`, error);
      return undefined;
    }
  }

  private _retentionFor(tool: string, override: string | undefined): string {
    const policy = this.config.retention;
    if (override !== undefined && !policy.classes[override]) {
      this.config.errors.report(
        'retention_unknown',
        `tool ${tool}: unknown retention class ${JSON.stringify(override)}`,
      );
    }
    return policy.classFor(tool, override);
  }
}

const MAX_ATTRIBUTION_LENGTH = 256;

/** `{ ...extra, ...fields }`: the redacted extra fields first, then the standard fields over them. */
function withExtra(extra: unknown, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...(extra as Record<string, unknown>), ...fields };
}

function roundMillis(millis: number): number {
  return Math.round(millis * 1000) / 1000;
}

/** RFC 3339 time of a start time; a bad clock value falls back to now rather than failing the record. */
function isoTime(millis: number): string {
  // Calls come many per millisecond: the last formatted time is reused.
  if (millis === lastIsoMillis) return lastIso;
  const date = new Date(millis);
  if (Number.isNaN(date.getTime())) return new Date().toISOString();
  lastIso = date.toISOString();
  lastIsoMillis = millis;
  return lastIso;
}
let lastIsoMillis = Number.NaN;
let lastIso = '';

/** Attribution strings are identifiers chosen by the integrator: kept as given, but bounded and well-formed. */
function clean(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text = typeof value === 'string' ? value : String(value);
  text = cutText(text, MAX_ATTRIBUTION_LENGTH);
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** `{type, message}` of a thrown value, message redacted. Never throws. */
export function describeError(error: unknown, redactor: Redactor): { type: string; message: string } {
  try {
    if (error instanceof Error) {
      return {
        // The name is the thrower's text too (a custom error class may put a value in it).
        type: redactor.redactKey(clean(error.name) ?? 'Error'),
        message: cutText(redactor.redactText(String(error.message)), 1024),
      };
    }
    const text = typeof error === 'string' ? error : JSON.stringify(redactor.redactValue(error));
    return {
      type: typeof error === 'string' ? 'string' : typeof error,
      message: cutText(redactor.redactText(text ?? ''), 1024),
    };
  } catch {
    return { type: 'unknown', message: '[unserializable]' };
  }
}
