import type { AuditPipeline } from '../pipeline/audit-pipeline.js';
import type { RecordFields } from '../pipeline/record-fields.js';
import { isoTime } from '../pipeline/record-time.js';
import type { IntentInput, IntentLink } from '../pipeline/tool-call-input.js';
import type { LocalTrail } from '../sinks/local-trail.js';

/** A sealed intent and how its durable write went. */
export interface IntentWrite {
  link: IntentLink;
  /** The redacted arguments (reused for the tool call record). */
  args: unknown;
  /** Sync write: whether it is durable. Async: resolves when durable, rejects on failure. */
  durable: boolean | Promise<void>;
}

/** What `setupToolAudit` hands the intent writer. */
export interface IntentWriterOptions {
  pipeline: AuditPipeline;
  fields: RecordFields;
  trail: LocalTrail;
}

/** Seals the `intent` record of a strict call (who, which tool, redacted arguments) and writes it durably. */
export class IntentWriter {
  constructor(private readonly _options: IntentWriterOptions) {}

  /**
   * `sync` blocks on write + fdatasync and returns whether it worked; otherwise `durable` resolves once an
   * fdatasync that began after the write is done (group commit). Throws when the record could not be sealed or
   * the pipeline is shut down.
   */
  write(input: IntentInput, sync: boolean): IntentWrite {
    const { pipeline, fields: recordFields, trail } = this._options;
    if (pipeline.closed) throw new Error('tooltrail: the audit pipeline is shut down');
    const args = recordFields.redactor.redactValue(input.args);
    const fields = recordFields.attribution(input);
    fields.args = args;
    let durable: boolean | Promise<void> = false;
    const sealed = pipeline.appendWith('intent', isoTime(input.startTimeMs), fields, (line) => {
      durable = sync ? trail.append(line, true) : trail.appendDurable(line);
    });
    return { link: { seq: sealed.record.seq, hash: sealed.record.hash }, args, durable };
  }

  /** Why the trail's last write failed (the `cause` of a strict refusal). */
  get lastError(): unknown {
    return this._options.trail.lastError;
  }
}
