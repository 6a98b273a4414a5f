import { wrapMethod } from '../internal/wrap-method.js';
import { auditInbound, auditOutbound, type McpPeer, wrapOutboundRequests } from './audit-operation.js';
import {
  MCP_METHOD_ELICITATION_CREATE,
  MCP_METHOD_PROMPTS_GET,
  MCP_METHOD_RESOURCES_READ,
  MCP_METHOD_RESOURCES_SUBSCRIBE,
  MCP_METHOD_RESOURCES_UNSUBSCRIBE,
  MCP_METHOD_RESOURCES_UPDATED,
  MCP_METHOD_SAMPLING_CREATE_MESSAGE,
} from './mcp-methods.js';

interface ServerLike {
  getClientVersion?: () => { name?: unknown } | undefined;
  transport?: { sessionId?: unknown };
}

interface HandlerExtra {
  sessionId?: unknown;
  mcpReq?: { _meta?: unknown };
}

// biome-ignore lint/suspicious/noExplicitAny: request handlers of every SDK version.
type Handler = (this: any, request: unknown, extra: unknown, ...rest: unknown[]) => unknown;

/** Requests from the client whose handling the server audits (`tools/call` has its own path). */
export const SERVER_INBOUND: ReadonlySet<string> = new Set([
  MCP_METHOD_RESOURCES_READ,
  MCP_METHOD_RESOURCES_SUBSCRIBE,
  MCP_METHOD_RESOURCES_UNSUBSCRIBE,
  MCP_METHOD_PROMPTS_GET,
]);

/** Requests the server sends to the client whose record the server writes. */
const OUTBOUND: ReadonlySet<string> = new Set([
  MCP_METHOD_SAMPLING_CREATE_MESSAGE,
  MCP_METHOD_ELICITATION_CREATE,
]);

/**
 * Audits what the server asks of the client — sampling and elicitation, through `createMessage`, `elicitInput`,
 * v2's `ctx.mcpReq.requestSampling`/`elicitInput` and v1's `extra.sendRequest` alike, since all of them go through
 * `request` — and the `notifications/resources/updated` it sends (`sendResourceUpdated` → `notification`).
 */
export function patchMcpServerOperations(Server: { prototype: object }): boolean {
  const requests = wrapOutboundRequests(Server.prototype, OUTBOUND, (server: ServerLike) =>
    clientPeer(server, server.transport?.sessionId),
  );
  const notifications = wrapMethod(
    Server.prototype,
    'notification',
    (original) =>
      function notification(this: ServerLike, message: unknown, ...rest: unknown[]): unknown {
        const { method, params } = (message ?? {}) as { method?: unknown; params?: unknown };
        if (method !== MCP_METHOD_RESOURCES_UPDATED || !isParams(params))
          return original.call(this, message, ...rest);
        const peer = clientPeer(this, this.transport?.sessionId);
        return auditOutbound(method, params, peer, (sent) =>
          original.call(this, { ...(message as object), params: sent }, ...rest),
        );
      },
  );
  return requests || notifications;
}

/**
 * Wraps a request handler so `resources/read`, `resources/subscribe`, `resources/unsubscribe` and `prompts/get`
 * run audited, in the caller's trace and audit context. Other requests go straight to `handler`.
 */
export function traceServerOperations(server: ServerLike, handler: Handler): Handler {
  return function serverOperation(
    this: unknown,
    request: unknown,
    extra: unknown,
    ...rest: unknown[]
  ): unknown {
    const handle = () => handler.call(this, request, extra, ...rest);
    const { method, params } = (request ?? {}) as { method?: unknown; params?: unknown };
    if (typeof method !== 'string' || !SERVER_INBOUND.has(method) || !isParams(params)) return handle();
    const handlerExtra = (isParams(extra) ? extra : {}) as HandlerExtra;
    const peer = clientPeer(server, handlerExtra.sessionId);
    return auditInbound(method, params, params._meta ?? handlerExtra.mcpReq?._meta, peer, handle);
  };
}

function clientPeer(server: ServerLike, sessionId: unknown): McpPeer {
  const peer: McpPeer = { role: 'client', name: undefined, sessionId: undefined };
  try {
    const name = server.getClientVersion?.()?.name;
    if (typeof name === 'string' && name) peer.name = name;
    if (typeof sessionId === 'string' && sessionId) peer.sessionId = sessionId;
  } catch {
    // Best effort: the operation is still audited.
  }
  return peer;
}

function isParams(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
