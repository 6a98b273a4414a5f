import { type Attributes, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { getAuditContext } from '../context/audit-context.js';
import {
  ATTR_ENDUSER_ID,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_TOOLTRAIL_PURPOSE,
  ATTR_TOOLTRAIL_RETENTION,
  ATTR_TOOLTRAIL_ROLE,
  ATTR_TOOLTRAIL_SUBJECT,
  ATTR_TOOLTRAIL_TRIGGER,
  ATTR_TOOLTRAIL_TURN,
  ATTR_USER_ID,
} from '../semconv/attributes.js';
import type { AuditContext, AuditTrigger } from '../types.js';
import type { ToolCallInput } from './tool-call-input.js';

/**
 * Turns an `execute_tool` span from any instrumentation into a tool call: span attributes fill what they
 * know, the audit context active when the span ended (usually the caller's) fills the rest.
 */
export function toolCallFromSpan(span: ReadableSpan): ToolCallInput {
  const attributes = span.attributes;
  const fallback = getAuditContext();
  const context: AuditContext = {
    ...fallback,
    userId: text(attributes, ATTR_USER_ID) ?? text(attributes, ATTR_ENDUSER_ID) ?? fallback.userId,
    userRole: text(attributes, ATTR_TOOLTRAIL_ROLE) ?? fallback.userRole,
    conversationId: text(attributes, ATTR_GEN_AI_CONVERSATION_ID) ?? fallback.conversationId,
    turn: numeric(attributes, ATTR_TOOLTRAIL_TURN) ?? fallback.turn,
    model: text(attributes, ATTR_GEN_AI_REQUEST_MODEL) ?? fallback.model,
    purpose: text(attributes, ATTR_TOOLTRAIL_PURPOSE) ?? fallback.purpose,
  };
  const failed = span.status.code === SpanStatusCode.ERROR;
  const startMillis = span.startTime[0] * 1000 + span.startTime[1] / 1e6;
  const durationMillis = span.duration[0] * 1000 + span.duration[1] / 1e6;
  const spanContext = span.spanContext();
  return {
    tool: text(attributes, ATTR_GEN_AI_TOOL_NAME) ?? span.name.replace(/^execute_tool\s*/, ''),
    callId: text(attributes, ATTR_GEN_AI_TOOL_CALL_ID) ?? null,
    args: parseJson(attributes[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]),
    outcome: failed
      ? {
          ok: false,
          error: Object.assign(new Error(span.status.message ?? exceptionMessage(span) ?? ''), {
            name: text(attributes, ATTR_ERROR_TYPE) ?? exceptionType(span) ?? 'Error',
          }),
        }
      : { ok: true, result: parseJson(attributes[ATTR_GEN_AI_TOOL_CALL_RESULT]) },
    durationMs: durationMillis,
    startTimeMs: startMillis,
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    context,
    subject: text(attributes, ATTR_TOOLTRAIL_SUBJECT) ?? null,
    retention: text(attributes, ATTR_TOOLTRAIL_RETENTION),
    trigger: (text(attributes, ATTR_TOOLTRAIL_TRIGGER) as AuditTrigger | undefined) ?? null,
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
  return attributes ? text(attributes, 'exception.type') : undefined;
}

function exceptionMessage(span: ReadableSpan): string | undefined {
  const attributes = exceptionEvent(span);
  return attributes ? text(attributes, 'exception.message') : undefined;
}
