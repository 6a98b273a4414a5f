import type { Attributes } from '@opentelemetry/api';
import { context } from '@opentelemetry/api';
import { auditToolCall, withAuditContext } from '@tooltrail/core';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_SESSION_ID,
  ATTR_TOOLTRAIL_MCP_CLIENT_NAME,
  activeAuditor,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from '@tooltrail/core/internal';
import { activeSpanWithAttributes } from '../internal/active-span.js';
import { wrapMethod } from '../internal/wrap-method.js';
import { MCP_METHOD_TOOLS_CALL } from './mcp-methods.js';
import { callerFromMeta, fillFromClaim } from './meta-propagation.js';
import { CLIENT_SPANS, markServerSpan } from './own-spans.js';
import {
  patchMcpServerOperations,
  SERVER_INBOUND,
  traceServerOperations,
} from './patch-server-operations.js';
import { failOnToolError, unwrapToolError } from './tool-error.js';

interface ServerLike {
  getClientVersion?: () => { name?: unknown } | undefined;
}

interface ToolsCallRequest {
  method: 'tools/call';
  params: { name: string; arguments?: unknown; _meta?: unknown };
}

interface HandlerExtra {
  _meta?: unknown;
  sessionId?: unknown;
  mcpReq?: { _meta?: unknown };
}

// biome-ignore lint/suspicious/noExplicitAny: request handlers of every SDK version.
type Handler = (this: any, request: unknown, extra: unknown, ...rest: unknown[]) => unknown;

/**
 * Wraps the `tools/call` handler registered on `Server` (what `McpServer.registerTool`/`tool` install, and what
 * low-level servers register), so every tool runs in an `execute_tool` span that continues the caller's trace
 * and carries the caller's audit context. v1 registers by schema, v2 by method name: the request's `method` is
 * checked when it arrives, which works for both.
 */
export function patchMcpServer(exports: Record<string, unknown>): boolean {
  const Server = exports.Server as ((...args: never[]) => unknown) | undefined;
  if (typeof Server !== 'function' || !Server.prototype) return false;
  patchMcpServerOperations(Server);
  return wrapMethod(
    Server.prototype,
    'setRequestHandler',
    (original) =>
      function setRequestHandler(this: ServerLike, method: unknown, ...rest: unknown[]): unknown {
        const last = rest.length - 1;
        const handler = rest[last];
        if (
          typeof handler === 'function' &&
          (typeof method !== 'string' || method === MCP_METHOD_TOOLS_CALL)
        ) {
          rest[last] = traceToolsCall(this, handler as Handler);
        }
        if (typeof handler === 'function' && (typeof method !== 'string' || SERVER_INBOUND.has(method))) {
          rest[last] = traceServerOperations(this, rest[last] as Handler);
        }
        return original.call(this, method, ...rest);
      },
  );
}

function traceToolsCall(server: ServerLike, handler: Handler): Handler {
  return function toolsCall(this: unknown, request: unknown, extra: unknown, ...rest: unknown[]): unknown {
    if (!isToolsCall(request) || !activeAuditor()) return handler.call(this, request, extra, ...rest);
    const invoke = () => handler.call(this, request, extra, ...rest);
    const handlerExtra = (typeof extra === 'object' && extra !== null ? extra : {}) as HandlerExtra;
    const caller = callerFromMeta(request.params._meta ?? handlerExtra._meta ?? handlerExtra.mcpReq?._meta);
    const existing = activeSpanWithAttributes();
    // A tool span that is not the caller's own (in-process transports keep the caller's span active) means
    // another instrumentation already audits this handler: enrich it instead of writing a second record.
    if (
      existing?.attributes[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_EXECUTE_TOOL &&
      existing.span.spanContext().spanId !== caller.callerSpanId &&
      !CLIENT_SPANS.has(existing.span)
    ) {
      try {
        existing.span.setAttributes(serverAttributes(server, handlerExtra));
      } catch {
        // Enrichment is best effort.
      }
      return invoke();
    }
    return context.with(caller.parent, () =>
      withAuditContext(fillFromClaim(caller.claimed), () => {
        const attributes = serverAttributes(server, handlerExtra);
        const client = attributes[ATTR_TOOLTRAIL_MCP_CLIENT_NAME];
        return (
          auditToolCall(
            {
              name: request.params.name,
              args: request.params.arguments ?? {},
              attributes,
              extra: serverRecordFields(client, caller.callerSpanId),
            },
            () => {
              markServerSpan();
              return failOnToolError(invoke);
            },
          ) as Promise<unknown>
        ).then(undefined, unwrapToolError);
      }),
    );
  };
}

/**
 * Fields a server-side record adds: the client's name (null when the client never said it, as for a stateless
 * HTTP server's fresh instance: the field still marks the server side), and the caller's span id
 * (`parent_span_id`), which pairs this record exactly with the client's record of the same call (its `span_id`)
 * when both sides are audited.
 */
function serverRecordFields(client: unknown, callerSpanId: string | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = { mcp_client: client ?? null };
  if (callerSpanId !== undefined) fields.parent_span_id = callerSpanId;
  return fields;
}

function serverAttributes(server: ServerLike, extra: HandlerExtra): Attributes {
  const attributes: Attributes = { [ATTR_MCP_METHOD_NAME]: MCP_METHOD_TOOLS_CALL };
  try {
    const name = server.getClientVersion?.()?.name;
    if (typeof name === 'string' && name) attributes[ATTR_TOOLTRAIL_MCP_CLIENT_NAME] = name;
    if (typeof extra.sessionId === 'string' && extra.sessionId)
      attributes[ATTR_MCP_SESSION_ID] = extra.sessionId;
  } catch {
    // Best effort: the tool still runs audited.
  }
  return attributes;
}

function isToolsCall(request: unknown): request is ToolsCallRequest {
  const candidate = request as ToolsCallRequest | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.method === MCP_METHOD_TOOLS_CALL &&
    typeof candidate.params?.name === 'string'
  );
}
