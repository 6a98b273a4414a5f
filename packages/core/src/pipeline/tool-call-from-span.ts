import { type Attributes, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { getAuditContext } from '../context/audit-context.js';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_TYPE } from '../semconv/attributes.js';
import { CONTEXT_FIELDS, RECORD_ATTRIBUTES } from '../semconv/record-attributes.js';
import type { AuditContext, AuditTrigger } from '../types.js';
import type { ToolCallInput } from './tool-call-input.js';

/**
 * Turns an `execute_tool` span from any instrumentation into a tool call: span attributes fill what they
 * know, the audit context active when the span ended (usually the caller's) fills the rest.
 */
export function toolCallFromSpan(span: ReadableSpan): ToolCallInput {
  const attributes = span.attributes;
  const fallback = getAuditContext();
  const context: AuditContext = { ...fallback };
  for (const field of CONTEXT_FIELDS) {
    const read = field.kind === 'integer' ? numeric : text;
    const value =
      read(attributes, field.span) ??
      (field.spanAlias === undefined ? undefined : read(attributes, field.spanAlias));
    (context as Record<string, unknown>)[field.context] = value ?? fallback[field.context];
  }
  const failed = span.status.code === SpanStatusCode.ERROR;
  const startMillis = span.startTime[0] * 1000 + span.startTime[1] / 1e6;
  const durationMillis = span.duration[0] * 1000 + span.duration[1] / 1e6;
  const spanContext = span.spanContext();
  return {
    tool: text(attributes, RECORD_ATTRIBUTES.tool.span) ?? span.name.replace(/^execute_tool\s*/, ''),
    callId: text(attributes, RECORD_ATTRIBUTES.call_id.span) ?? null,
    args: parseJson(attributes[RECORD_ATTRIBUTES.args.span]),
    outcome: failed
      ? {
          ok: false,
          error: Object.assign(new Error(span.status.message ?? exceptionMessage(span) ?? ''), {
            name: text(attributes, RECORD_ATTRIBUTES.error.span) ?? exceptionType(span) ?? 'Error',
          }),
        }
      : { ok: true, result: parseJson(attributes[RECORD_ATTRIBUTES.result.span]) },
    durationMs: durationMillis,
    startTimeMs: startMillis,
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    context,
    subject: text(attributes, RECORD_ATTRIBUTES.subject.span) ?? null,
    retention: text(attributes, RECORD_ATTRIBUTES.retention.span),
    trigger: (text(attributes, RECORD_ATTRIBUTES.trigger.span) as AuditTrigger | undefined) ?? null,
  };
}

function text(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function numeric(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function exceptionEvent(span: ReadableSpan): Attributes | undefined {
  return span.events.find((event) => event.name === 'exception')?.attributes;
}

function exceptionType(span: ReadableSpan): string | undefined {
  const attributes = exceptionEvent(span);
  return attributes ? text(attributes, ATTR_EXCEPTION_TYPE) : undefined;
}

function exceptionMessage(span: ReadableSpan): string | undefined {
  const attributes = exceptionEvent(span);
  return attributes ? text(attributes, ATTR_EXCEPTION_MESSAGE) : undefined;
}
