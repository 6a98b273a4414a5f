import { wrapMethod } from '../internal/wrap-method.js';
import { auditInbound, type McpPeer, wrapOutboundRequests } from './audit-operation.js';
import {
  MCP_METHOD_ELICITATION_CREATE,
  MCP_METHOD_PROMPTS_GET,
  MCP_METHOD_RESOURCES_READ,
  MCP_METHOD_RESOURCES_SUBSCRIBE,
  MCP_METHOD_RESOURCES_UNSUBSCRIBE,
  MCP_METHOD_RESOURCES_UPDATED,
  MCP_METHOD_SAMPLING_CREATE_MESSAGE,
} from './mcp-methods.js';

interface ClientLike {
  getServerVersion?: () => { name?: unknown } | undefined;
  transport?: { sessionId?: unknown };
}

// biome-ignore lint/suspicious/noExplicitAny: methods and handlers of every SDK version.
type AnyFunction = (this: any, ...args: any[]) => any;

/** Requests the client sends whose record the client writes. */
const OUTBOUND: ReadonlySet<string> = new Set([
  MCP_METHOD_RESOURCES_READ,
  MCP_METHOD_RESOURCES_SUBSCRIBE,
  MCP_METHOD_RESOURCES_UNSUBSCRIBE,
  MCP_METHOD_PROMPTS_GET,
]);

/** Requests and notifications the server sends whose handling the client audits. */
const INBOUND: ReadonlySet<string> = new Set([
  MCP_METHOD_SAMPLING_CREATE_MESSAGE,
  MCP_METHOD_ELICITATION_CREATE,
  MCP_METHOD_RESOURCES_UPDATED,
]);

/**
 * Audits the client side of MCP's data surface beyond `tools/call`: the `resources/read`, `resources/subscribe`,
 * `resources/unsubscribe` and `prompts/get` requests it sends (`readResource`, `getPrompt`, … and the generic
 * `request` they all go through, v1 and v2 alike), and the handlers the application registers for the server's
 * `sampling/createMessage` and `elicitation/create` requests and `notifications/resources/updated`.
 */
export function patchMcpClientOperations(Client: { prototype: object }): boolean {
  const patched = wrapOutboundRequests(Client.prototype, OUTBOUND, serverPeer);
  const requests = wrapHandlerRegistration(Client.prototype, 'setRequestHandler');
  const notifications = wrapHandlerRegistration(Client.prototype, 'setNotificationHandler');
  return patched || requests || notifications;
}

/** Wraps the handler argument (the last one) of `setRequestHandler`/`setNotificationHandler` for INBOUND methods. */
function wrapHandlerRegistration(prototype: object, name: string): boolean {
  return wrapMethod(
    prototype,
    name,
    (original) =>
      function register(this: ClientLike, method: unknown, ...rest: unknown[]): unknown {
        const last = rest.length - 1;
        const handler = rest[last];
        // v1 registers by schema, v2 by method name: the message's `method` is checked when it arrives.
        if (typeof handler === 'function' && (typeof method !== 'string' || INBOUND.has(method))) {
          const client = this;
          rest[last] = function inbound(this: unknown, message: unknown, extra: unknown, ...more: unknown[]) {
            const handle = () => (handler as AnyFunction).call(this, message, extra, ...more);
            const { method: received, params } = (message ?? {}) as { method?: unknown; params?: unknown };
            if (typeof received !== 'string' || !INBOUND.has(received) || !isParams(params)) return handle();
            const meta = (extra as { mcpReq?: { _meta?: unknown } } | undefined)?.mcpReq?._meta;
            return auditInbound(received, params, params._meta ?? meta, serverPeer(client), handle);
          };
        }
        return original.call(this, method, ...rest);
      },
  );
}

function serverPeer(client: ClientLike): McpPeer {
  const peer: McpPeer = { role: 'server', name: undefined, sessionId: undefined };
  try {
    const name = client.getServerVersion?.()?.name;
    if (typeof name === 'string' && name) peer.name = name;
    const sessionId = client.transport?.sessionId;
    if (typeof sessionId === 'string' && sessionId) peer.sessionId = sessionId;
  } catch {
    // Best effort: the operation is still audited.
  }
  return peer;
}

function isParams(params: unknown): params is Record<string, unknown> {
  return typeof params === 'object' && params !== null && !Array.isArray(params);
}
