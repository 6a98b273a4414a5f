import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ErrorHandler } from '../internal/error-handler.js';
import type { AuditPipeline } from '../pipeline/audit-pipeline.js';
import { toolCallFromSpan } from '../pipeline/tool-call-from-span.js';
import type { Redactor } from '../redaction/redactor.js';
import { ATTR_GEN_AI_OPERATION_NAME, GEN_AI_OPERATION_EXECUTE_TOOL } from '../semconv/attributes.js';
import { RECORD_ATTRIBUTES, RECORD_FIELDS, spanAttributeNames } from '../semconv/record-attributes.js';
import type { OwnValues } from './own-values.js';
import { ResourceRedactions } from './redact-resource.js';
import {
  redactSpanAtEnd,
  redactSpanAtStart,
  SpanAttributeRedaction,
  type SubjectJudge,
} from './redact-span.js';
import { SpanMarks } from './span-marks.js';

/** Identifiers chosen by the integrator (user id, conversation id, ...): kept as given, like in the record. */
const ATTRIBUTION_KEYS: ReadonlySet<string> = new Set([
  ATTR_GEN_AI_OPERATION_NAME,
  ...RECORD_FIELDS.filter((field) => field.kept === true).flatMap(spanAttributeNames),
]);

export interface AuditSpanProcessorOptions {
  /** Records `execute_tool` spans of other instrumentations. */
  pipeline: Pick<AuditPipeline, 'recordToolCall'>;
  /** The setup's redaction, applied to every span. */
  redactor: Redactor;
  /**
   * The setup's subject policy (`RecordFields.subjectOf`): a `tooltrail.subject` no record put on the span is
   * judged by it. Default: the redactor's rules, no `subjectPseudonyms`.
   */
  subjectOf?: SubjectJudge;
  /** Where span processing failures are reported. */
  errors: ErrorHandler;
  /** Processors that receive spans after redaction (e.g. a BatchSpanProcessor with an OTLP exporter). */
  next?: SpanProcessor[];
  /**
   * Spans created by `auditTool`, recorded already: not recorded twice, and the values the runner put on them
   * already redacted not redacted again (`claim`: the span the runner is starting, in `onStart`).
   */
  auditedSpans?: {
    claim(span: { readonly name: string }): OwnValues | undefined;
    own(span: object): OwnValues | undefined;
  };
}

/**
 * Must be the first span processor on the provider. It redacts every span in place before any later processor
 * or exporter sees it — name (at start and again at end, after any `updateName()`), attribute keys and values,
 * event names and attributes (exception messages), link attributes, status message, and the resource (each
 * span gets a redacted copy of its provider's resource, made once) — and turns `execute_tool` spans from other instrumentations into chained
 * audit records. With sdk-trace-base 2.x the end-of-span work runs in `onEnding` (the span still writable,
 * before any processor's `onEnd`), and once more in `onEnd` when a later `onEnding` added to the span (a new
 * attribute, event, link, name or status message; an attribute overwritten in place by a later processor's
 * `onEnding` is not noticed).
 */
export class AuditSpanProcessor implements SpanProcessor {
  private readonly _next: SpanProcessor[];
  private readonly _redactor: Redactor;
  private readonly _attributes: SpanAttributeRedaction;
  /** Redacted copies of the providers' resources, put on each span at start. */
  private readonly _resources: ResourceRedactions;
  /** Spans handled in `onEnding` (recorded and redacted), with what they looked like then. */
  private readonly _endings = new SpanMarks<EndingMark>();

  constructor(private readonly _options: AuditSpanProcessorOptions) {
    this._next = _options.next ?? [];
    this._redactor = _options.redactor;
    this._resources = new ResourceRedactions(this._redactor);
    this._attributes = new SpanAttributeRedaction(this._redactor, ATTRIBUTION_KEYS, _options.subjectOf);
  }

  // try/catch inline rather than through `_guard(kind, () => ...)`: no closure per span on the hot path.
  onStart(span: Span, parentContext: Context): void {
    // A span that could not be redacted is never handed on: a lost span beats a leaked value.
    try {
      const resource = span.resource;
      if (resource)
        (span as { resource: ReadableSpan['resource'] }).resource = this._resources.copyOf(resource);
      redactSpanAtStart(this._redactor, span, this._attributes, this._options.auditedSpans?.claim(span));
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

  /** Called by sdk-trace-base 2.x just before the span ends: the span is still writable. */
  onEnding(span: Span): void {
    if (!this._end(span, undefined)) return;
    this._endings.set(span, endingMark(span));
    for (const processor of this._next) {
      try {
        processor.onEnding?.(span);
      } catch (error) {
        this._failed('next_ending', error);
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    const mark = this._endings.take(span);
    // After `onEnding`, the span is redacted again only if a later processor's `onEnding` changed it.
    if (!(mark !== undefined && sameAsMark(span, mark)) && !this._end(span, mark)) return;
    for (const processor of this._next) {
      try {
        processor.onEnd(span);
      } catch (error) {
        this._failed('next_end', error);
      }
    }
  }

  /**
   * Records an `execute_tool` span of another instrumentation (once: in `onEnding` when the SDK calls it, else
   * in `onEnd`), then redacts the span. False when it could not be redacted: it is then not handed on.
   * `mark` is set when `onEnding` already handled the span (recorded it).
   */
  private _end(span: ReadableSpan, mark: EndingMark | undefined): boolean {
    const own = this._options.auditedSpans?.own(span);
    if (
      own === undefined &&
      mark === undefined &&
      span.attributes[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_EXECUTE_TOOL
    ) {
      try {
        if (span.attributes[RECORD_ATTRIBUTES.seq.span] === undefined) {
          // Read before its attributes are redacted.
          const recorded = this._options.pipeline.recordToolCall(toolCallFromSpan(span));
          // The span's subject as the record holds it (pseudonymised when personal data), never the clear one.
          if (span.attributes[RECORD_ATTRIBUTES.subject.span] !== undefined) {
            const subject = recorded?.sealed.record.subject;
            if (typeof subject === 'string') span.attributes[RECORD_ATTRIBUTES.subject.span] = subject;
            else delete span.attributes[RECORD_ATTRIBUTES.subject.span];
          }
        }
      } catch (error) {
        this._failed('record_span', error);
      }
    }
    try {
      redactSpanAtEnd(this._redactor, span, this._attributes, own);
    } catch (error) {
      this._failed('redact_end', error);
      return false;
    }
    return true;
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this._next.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this._next.map((processor) => processor.shutdown()));
  }

  private _failed(kind: string, error: unknown): void {
    this._options.errors.report(kind, 'span processing failed', error);
  }
}

/** The shape of a span when `onEnding` redacted it: any addition, rename or new status message since shows. */
interface EndingMark {
  name: string;
  attributes: number;
  events: number;
  links: number;
  message: string | undefined;
}

function endingMark(span: ReadableSpan): EndingMark {
  return {
    name: span.name,
    attributes: keyCount(span.attributes),
    events: span.events.length,
    links: span.links.length,
    message: span.status.message,
  };
}

function sameAsMark(span: ReadableSpan, mark: EndingMark): boolean {
  return (
    span.name === mark.name &&
    span.events.length === mark.events &&
    span.links.length === mark.links &&
    span.status.message === mark.message &&
    keyCount(span.attributes) === mark.attributes
  );
}

/**
 * The keys for-in sees on `attributes` (no key array made: this runs twice per span). An inherited enumerable
 * key counts at both ends alike, so a change since `onEnding` still shows.
 */
function keyCount(attributes: object): number {
  let count = 0;
  for (const _ in attributes) count++;
  return count;
}
