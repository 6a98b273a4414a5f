import { type Span, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { RecordedToolCall } from '../pipeline/audit-pipeline.js';
import type { OwnValues } from '../processor/own-values.js';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_TYPE } from '../semconv/attributes.js';
import { RECORD_ATTRIBUTES, SEALED_FIELDS } from '../semconv/record-attributes.js';

/**
 * Puts a recorded call's sealed fields on its span (and, on an `execute_tool` span, its arguments and result,
 * redacted already: kept in `own` as the span holds them, so that the processor does not redact them again).
 */
export function annotateSpan(
  span: Span,
  recorded: RecordedToolCall,
  toolSpan: boolean,
  own: OwnValues,
): void {
  const record = recorded.sealed.record as Record<string, unknown>;
  // One setAttribute per value: no attribute object for the SDK to walk.
  for (const field of SEALED_FIELDS) {
    const value = record[field.field];
    if (typeof value === 'string' || typeof value === 'number') span.setAttribute(field.span, value);
  }
  // The record's subject, judged already: kept while the span holds it (any other value there is judged again).
  const subject = record.subject;
  if (
    typeof subject === 'string' &&
    (span as Partial<ReadableSpan>).attributes?.[RECORD_ATTRIBUTES.subject.span] === subject
  )
    own.subject = subject;
  // The GenAI argument and result attributes belong to `execute_tool` spans only.
  if (toolSpan) {
    span.setAttribute(RECORD_ATTRIBUTES.args.span, recorded.argsJson);
    span.setAttribute(RECORD_ATTRIBUTES.result.span, recorded.resultJson);
    const held = (span as Partial<ReadableSpan>).attributes;
    own.args = heldPart(held?.[RECORD_ATTRIBUTES.args.span], recorded.argsJson);
    own.result = heldPart(held?.[RECORD_ATTRIBUTES.result.span], recorded.resultJson);
  }
  if (recorded.error) {
    span.setAttribute(RECORD_ATTRIBUTES.error.span, recorded.error.type);
    span.addEvent('exception', {
      [ATTR_EXCEPTION_TYPE]: recorded.error.type,
      [ATTR_EXCEPTION_MESSAGE]: recorded.error.message,
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: recorded.error.message });
  }
}

/**
 * What the span holds of `text` after `setAttribute`: the text, or its start when the SDK shortened it (attribute
 * value length limit); undefined for anything else (the span did not take the value).
 */
function heldPart(held: unknown, text: string | undefined): string | undefined {
  if (held === text) return text;
  return typeof held === 'string' && typeof text === 'string' && text.startsWith(held) ? held : undefined;
}
