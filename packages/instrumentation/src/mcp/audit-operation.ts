import { type Attributes, context, SpanKind } from '@opentelemetry/api';
import { auditToolCall, withAuditContext } from '@tooltrail/core';
import {
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  ATTR_TOOLTRAIL_MCP_CLIENT_NAME,
  ATTR_TOOLTRAIL_MCP_SERVER_NAME,
  activeAuditor,
  redactedError,
} from '@tooltrail/core/internal';
import { wrapMethod } from '../internal/wrap-method.js';
import { MCP_METHOD_PROMPTS_GET } from './mcp-methods.js';
import { callerFromMeta, fillFromClaim, withPropagatedMeta } from './meta-propagation.js';
import { requestArgs, resultFields } from './operation-fields.js';
import { subjectFromUri } from './resource-subject.js';

/** The peer of this process in one MCP operation: the server when this process is the client, and back. */
export interface McpPeer {
  /** `server` in a client process (record field `mcp_server`), `client` in a server process (`mcp_client`). */
  role: 'server' | 'client';
  name: string | undefined;
  sessionId: string | undefined;
}

type Params = Record<string, unknown>;

/**
 * Sends an MCP request or notification this process initiates (`resources/read`, `prompts/get`,
 * `sampling/createMessage`, …) as one audited operation: a CLIENT span `{method} {target}`, one record with
 * `operation`, and trace and audit context in `params._meta`. `send` gets the params to send.
 */
export function auditOutbound(
  method: string,
  params: Params,
  peer: McpPeer,
  send: (params: Params) => unknown,
): unknown {
  const call = activeAuditor() ? safeDescribe(method, params, peer, SpanKind.CLIENT, undefined) : undefined;
  if (!call) return send(propagated(params));
  return auditToolCall(call, () => send(propagated(params)));
}

/**
 * Runs the handler of an MCP request or notification the peer sent as one audited operation: a SERVER span in
 * the caller's trace (from `_meta.traceparent`), the caller's audit context where this process has none, and a
 * record naming the caller's span (`parent_span_id`).
 */
export function auditInbound(
  method: string,
  params: Params,
  meta: unknown,
  peer: McpPeer,
  handle: () => unknown,
): unknown {
  if (!activeAuditor()) return handle();
  const caller = callerFromMeta(meta ?? params._meta);
  const call = safeDescribe(method, params, peer, SpanKind.SERVER, caller.callerSpanId);
  if (!call) return handle();
  return context.with(caller.parent, () =>
    withAuditContext(fillFromClaim(caller.claimed), () => auditToolCall(call, handle)),
  );
}

/**
 * Wraps `prototype.request` (the generic request API every SDK helper such as `readResource` or `createMessage`
 * goes through, and what applications call directly) so requests whose method is in `methods` are sent through
 * `auditOutbound`. Other requests (`tools/call` has its own hook) pass through untouched.
 */
export function wrapOutboundRequests<T>(
  prototype: object,
  methods: ReadonlySet<string>,
  peerOf: (self: T) => McpPeer,
): boolean {
  return wrapMethod(
    prototype,
    'request',
    (original) =>
      function request(this: T, message: unknown, ...rest: unknown[]): unknown {
        const { method, params } = (message ?? {}) as { method?: unknown; params?: unknown };
        if (typeof method !== 'string' || !methods.has(method) || !isParams(params))
          return original.call(this, message, ...rest);
        return auditOutbound(method, params, peerOf(this), (sent) =>
          original.call(this, { ...(message as object), params: sent }, ...rest),
        );
      },
  );
}

function isParams(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `params` with trace and audit context in `_meta`; `params` itself if it cannot be copied. */
function propagated(params: Params): Params {
  try {
    return withPropagatedMeta(params);
  } catch {
    return params;
  }
}

/** `describe`, or undefined (and one warning) when hostile params defeat it: the request still goes through. */
function safeDescribe(...args: Parameters<typeof describe>): ReturnType<typeof describe> | undefined {
  try {
    return describe(...args);
  } catch (error) {
    if (!warned) {
      warned = true;
      process.emitWarning(
        `tooltrail: an MCP ${args[0]} could not be described: ${redactedError(error)}`,
        'TooltrailWarning',
      );
    }
    return undefined;
  }
}

let warned = false;

function describe(
  method: string,
  params: Params,
  peer: McpPeer,
  kind: SpanKind,
  callerSpanId: string | undefined,
): Parameters<typeof auditToolCall>[0] {
  const prompt =
    method === MCP_METHOD_PROMPTS_GET && typeof params.name === 'string' ? params.name : undefined;
  const attributes: Attributes = { [ATTR_MCP_METHOD_NAME]: method };
  if (prompt !== undefined) attributes[ATTR_GEN_AI_PROMPT_NAME] = prompt;
  // Redacted with every other span attribute before any exporter sees it.
  if (typeof params.uri === 'string') attributes[ATTR_MCP_RESOURCE_URI] = params.uri;
  if (peer.sessionId) attributes[ATTR_MCP_SESSION_ID] = peer.sessionId;
  // The peer field is always there (null when the peer did not say its name, as a stateless HTTP server's
  // fresh instance never hears it): it tells which side of the operation the record was written on.
  const extra: Record<string, unknown> = {
    operation: method,
    [peer.role === 'server' ? 'mcp_server' : 'mcp_client']: peer.name ?? null,
  };
  if (peer.name !== undefined)
    attributes[peer.role === 'server' ? ATTR_TOOLTRAIL_MCP_SERVER_NAME : ATTR_TOOLTRAIL_MCP_CLIENT_NAME] =
      peer.name;
  if (callerSpanId !== undefined) extra.parent_span_id = callerSpanId;
  return {
    // The semantic conventions' target: the prompt name, else nothing (a resource URI is not low-cardinality).
    name: prompt ?? method,
    args: requestArgs(method, params),
    type: 'extension',
    subject: typeof params.uri === 'string' ? subjectFromUri(params.uri) : undefined,
    attributes,
    extra,
    resultFields: (result) => resultFields(method, result),
    span: { name: prompt === undefined ? method : `${method} ${prompt}`, kind },
  };
}
