import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AuditPipeline } from '../pipeline/audit-pipeline.js';
import type { Redactor } from '../redaction/redactor.js';
import {
  ATTR_ENDUSER_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_TOOLTRAIL_CHAIN_HASH,
  ATTR_TOOLTRAIL_CHAIN_ID,
  ATTR_TOOLTRAIL_CHAIN_SEQ,
  ATTR_TOOLTRAIL_PURPOSE,
  ATTR_TOOLTRAIL_RETENTION,
  ATTR_TOOLTRAIL_ROLE,
  ATTR_TOOLTRAIL_SUBJECT,
  ATTR_TOOLTRAIL_TRIGGER,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from '../semconv/attributes.js';

/** Identifiers chosen by the integrator (user id, conversation id, ...): kept as given, like in the record. */
const ATTRIBUTION_KEYS: ReadonlySet<string> = new Set([
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ENDUSER_ID,
  'user.id',
  ATTR_TOOLTRAIL_ROLE,
  ATTR_TOOLTRAIL_PURPOSE,
  ATTR_TOOLTRAIL_SUBJECT,
  ATTR_TOOLTRAIL_TRIGGER,
  ATTR_TOOLTRAIL_RETENTION,
  ATTR_TOOLTRAIL_CHAIN_ID,
  ATTR_TOOLTRAIL_CHAIN_SEQ,
  ATTR_TOOLTRAIL_CHAIN_HASH,
]);

/** Keys that `auditTool` fills with values it already redacted. */
const PRE_REDACTED_KEYS: ReadonlySet<string> = new Set([
  ...ATTRIBUTION_KEYS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
]);

export interface AuditSpanProcessorOptions {
  pipeline: AuditPipeline;
  /** Processors that receive spans after redaction (e.g. a BatchSpanProcessor with an OTLP exporter). */
  next?: SpanProcessor[];
  /** Spans created by `auditTool`, recorded already: not recorded twice, and their own keys not re-redacted. */
  auditedSpans?: { has(span: object): boolean };
}

/**
 * Must be the first span processor on the provider. It redacts every span in place (attributes, event
 * attributes such as exception messages, status message, link attributes) before any later processor or
 * exporter sees it, and turns `execute_tool` spans from other instrumentations into chained audit records.
 */
export class AuditSpanProcessor implements SpanProcessor {
  private readonly _next: SpanProcessor[];
  private readonly _redactor: Redactor;

  constructor(private readonly _options: AuditSpanProcessorOptions) {
    this._next = _options.next ?? [];
    this._redactor = _options.pipeline.redactor;
  }

  // try/catch inline rather than through `_guard(kind, () => ...)`: no closure per span on the hot path.
  onStart(span: Span, parentContext: Context): void {
    // A span that could not be redacted is never handed on: a lost span beats a leaked value.
    try {
      this._redactor.redactAttributes(span.attributes, ATTRIBUTION_KEYS);
    } catch (error) {
      this._failed('redact_start', error);
      return;
    }
    for (const processor of this._next) {
      try {
        processor.onStart(span, parentContext);
      } catch (error) {
        this._failed('next_start', error);
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    const audited = this._options.auditedSpans?.has(span) === true;
    if (!audited && span.attributes[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_EXECUTE_TOOL) {
      try {
        if (span.attributes[ATTR_TOOLTRAIL_CHAIN_SEQ] === undefined) this._options.pipeline.recordSpan(span);
      } catch (error) {
        this._failed('record_span', error);
      }
    }
    try {
      this._redactSpan(span, audited ? PRE_REDACTED_KEYS : ATTRIBUTION_KEYS);
    } catch (error) {
      this._failed('redact_end', error);
      return;
    }
    for (const processor of this._next) {
      try {
        processor.onEnd(span);
      } catch (error) {
        this._failed('next_end', error);
      }
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this._next.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this._next.map((processor) => processor.shutdown()));
  }

  private _redactSpan(span: ReadableSpan, skip: ReadonlySet<string>): void {
    const redactor = this._redactor;
    redactor.redactAttributes(span.attributes, skip);
    const { events, links } = span;
    for (let i = 0; i < events.length; i++) {
      const attributes = events[i]?.attributes;
      if (attributes) redactor.redactAttributes(attributes);
    }
    for (let i = 0; i < links.length; i++) {
      const attributes = links[i]?.attributes;
      if (attributes) redactor.redactAttributes(attributes);
    }
    const message = span.status.message;
    if (message) {
      const redacted = redactor.redactText(message);
      if (redacted !== message)
        (span as { status: ReadableSpan['status'] }).status = { ...span.status, message: redacted };
    }
  }

  private _failed(kind: string, error: unknown): void {
    this._options.pipeline.errors.report(kind, 'span processing failed', error);
  }
}
