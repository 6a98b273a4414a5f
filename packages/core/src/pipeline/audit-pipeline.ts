import { appendCheckpoint } from '../chain/checkpoint.js';
import { HashChain, type SealedRecord } from '../chain/hash-chain.js';
import type { CapturedMembers } from '../chain/record-hash.js';
import type { ErrorHandler } from '../internal/error-handler.js';
import type { LoadedSigningKey } from '../keys/signing-key.js';
import type { LogShipper } from '../shipping/log-shipper.js';
import type { LocalTrail } from '../sinks/local-trail.js';
import { describeError } from './describe-error.js';
import type { RecordFields } from './record-fields.js';
import { isoTime, roundMillis } from './record-time.js';
import type { ToolCallInput } from './tool-call-input.js';

export type { ToolCallInput } from './tool-call-input.js';

/** What a recorded call produced, for the span. */
export interface RecordedToolCall {
  sealed: SealedRecord;
  /** The redacted arguments as JSON: the canonical JSON stored in the record (keys sorted). */
  argsJson: string;
  /** The result summary as JSON, likewise. */
  resultJson: string;
  error: { type: string; message: string } | null;
}

/** What `setupToolAudit` hands the pipeline. */
export interface AuditPipelineOptions {
  chainId: string;
  /** Builds the records' fields (redaction, subject, retention). */
  fields: RecordFields;
  trail: LocalTrail;
  shipper?: LogShipper;
  signingKey: LoadedSigningKey;
  checkpointEveryRecords: number;
  checkpointEveryMillis: number;
  errors: ErrorHandler;
}

/**
 * Redaction → record → hash chain → local trail → log export, in that order, synchronously up to the trail
 * write (so a record is on disk before the tool returns), plus signed checkpoints every N records / T ms.
 */
export class AuditPipeline {
  readonly chain: HashChain;
  private readonly _fields: RecordFields;
  private readonly _trail: LocalTrail;
  private readonly _errors: ErrorHandler;
  private _sinceCheckpoint = 0;
  private _timer: NodeJS.Timeout | undefined;
  private _closed = false;

  constructor(private readonly _options: AuditPipelineOptions) {
    this.chain = new HashChain({ id: _options.chainId });
    this._fields = _options.fields;
    this._trail = _options.trail;
    this._errors = _options.errors;
    if (_options.checkpointEveryMillis > 0) {
      // Also when idle: a running chain always has a checkpoint younger than the interval, which is how a
      // verifier tells a live chain (`--live`) from one that was cut or rolled back.
      this._timer = setInterval(() => {
        if (this.chain.nextSeq > 0) this.checkpoint(false);
      }, _options.checkpointEveryMillis);
      this._timer.unref();
    }
  }

  get closed(): boolean {
    return this._closed;
  }

  /**
   * Redacts, seals and stores one tool call. Returns undefined (and reports) if it could not be sealed; if the
   * call's values defeat redaction, a minimal record (tool, outcome, attribution) is stored instead.
   * `prepared.args`: arguments already redacted (for the intent record) are not redacted twice.
   */
  recordToolCall(input: ToolCallInput, prepared?: { args: unknown }): RecordedToolCall | undefined {
    const seqBefore = this.chain.nextSeq;
    try {
      const redactor = this._fields.redactor;
      const args = prepared ? prepared.args : redactor.redactValue(input.args);
      const result = input.outcome.ok ? this._fields.summarize(input.outcome.result) : null;
      const error = input.outcome.ok ? null : describeError(input.outcome.error, redactor);
      const fields = this._fields.attribution(input);
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
      const sealed = this._append('tool_call', isoTime(input.startTimeMs), fields, captured);
      if (!sealed) return undefined;
      return {
        sealed,
        argsJson: captured.args ?? JSON.stringify(args),
        resultJson: captured.result ?? JSON.stringify(result),
        error,
      };
    } catch (error) {
      this._errors.report('record_failed', `could not record tool call ${input.tool}`, error);
      // Fall back only if nothing was sealed: a failure after the chain advanced is not recorded twice.
      return this.chain.nextSeq === seqBefore ? this._recordMinimal(input) : undefined;
    }
  }

  /**
   * Seals `fields` in place as the next record and hands its line to `write` (the caller's trail write, e.g. a
   * durable one), then to the log export. Throws when shut down or when the record cannot be sealed.
   */
  appendWith(
    type: string,
    ts: string,
    fields: Record<string, unknown>,
    write: (line: string) => void,
  ): SealedRecord {
    if (this._closed) throw new Error('tooltrail: the audit pipeline is shut down');
    if (this.chain.nextSeq === 0) this._genesis();
    const sealed = this.chain.appendOwned(type, ts, fields);
    write(sealed.line);
    this._shipped(sealed);
    return sealed;
  }

  /** Signs and appends a checkpoint now. */
  checkpoint(final: boolean): SealedRecord | undefined {
    if (this._closed) return undefined;
    try {
      if (this.chain.nextSeq === 0 && !this._genesis()) return undefined;
      const sealed = this._signCheckpoint(final);
      this._sinceCheckpoint = 0;
      this._store(sealed, final);
      return sealed;
    } catch (error) {
      this._errors.report('checkpoint_failed', 'could not write a signed checkpoint', error);
      return undefined;
    }
  }

  async forceFlush(): Promise<void> {
    this._trail.sync();
    await this._options.shipper?.forceFlush();
  }

  /** Writes the final checkpoint, flushes and closes. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this._closed) return;
    if (this._timer) clearInterval(this._timer);
    this.checkpoint(true);
    this._closed = true;
    this._trail.close();
    await this._options.shipper?.shutdown();
  }

  /**
   * Writes the chain's signed genesis checkpoint (seq 0) before its first record. False when it could not be
   * signed: the caller's record is then still written (an unsigned chain is a verification problem, a lost record
   * is worse).
   */
  private _genesis(): boolean {
    try {
      this._store(this._signCheckpoint(false), false);
      return true;
    } catch (error) {
      this._errors.report('checkpoint_failed', 'could not write the signed genesis checkpoint', error);
      return false;
    }
  }

  private _signCheckpoint(final: boolean): SealedRecord {
    return appendCheckpoint(this.chain, this._options.signingKey, {
      everyRecords: this._options.checkpointEveryRecords,
      everyMillis: this._options.checkpointEveryMillis,
      final,
      ts: new Date().toISOString(),
    });
  }

  /** Seals `fields` in place (receiving the `args`/`result` JSON in `captured`) and stores the record. */
  private _append(
    type: string,
    ts: string,
    fields: Record<string, unknown>,
    captured: CapturedMembers,
  ): SealedRecord | undefined {
    if (this._closed) {
      // A call still in flight at shutdown (or one the tool's own shutdown cut short) returned without its record:
      // a loss, counted with the trail's, not only an error kind.
      this._trail.lost++;
      this._errors.report('after_shutdown', `a ${type} record arrived after shutdown and was not recorded`);
      return undefined;
    }
    if (this.chain.nextSeq === 0) this._genesis();
    const sealed = this.chain.appendOwned(type, ts, fields, captured);
    // The chain already advanced: a record the trail could not store shows up to the verifier as a gap.
    this._trail.append(sealed.line, false);
    this._shipped(sealed);
    return sealed;
  }

  private _store(sealed: SealedRecord, durable: boolean): void {
    // The chain already advanced: a record the trail could not store shows up to the verifier as a gap.
    this._trail.append(sealed.line, durable);
    this._options.shipper?.enqueue(sealed);
  }

  /** A record is in the trail: hand it to the log export and count it toward the next checkpoint. */
  private _shipped(sealed: SealedRecord): void {
    this._options.shipper?.enqueue(sealed);
    if (++this._sinceCheckpoint >= this._options.checkpointEveryRecords) this.checkpoint(false);
  }

  /** Last resort when a call's values defeat redaction: what is known for sure, nothing from the values. */
  private _recordMinimal(input: ToolCallInput): RecordedToolCall | undefined {
    try {
      const fields = this._fields.minimal(input);
      const { result, error } = fields as { result: unknown; error: RecordedToolCall['error'] };
      const sealed = this._append('tool_call', isoTime(input.startTimeMs), fields, {});
      if (!sealed) return undefined;
      return { sealed, argsJson: '"[unserializable]"', resultJson: JSON.stringify(result), error };
    } catch (error) {
      this._errors.report('record_failed', `could not record tool call ${String(input.tool)}`, error);
      return undefined;
    }
  }
}
