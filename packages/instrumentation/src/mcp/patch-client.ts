import type { Attributes } from '@opentelemetry/api';
import { auditToolCall } from '@tooltrail/core';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_SESSION_ID,
  ATTR_TOOLTRAIL_MCP_SERVER_NAME,
  activeAuditor,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from '@tooltrail/core/internal';
import { activeSpanWithAttributes } from '../internal/active-span.js';
import { wrapMethod } from '../internal/wrap-method.js';
import { MCP_METHOD_TOOLS_CALL } from './mcp-methods.js';
import { withPropagatedMeta } from './meta-propagation.js';
import { markClientSpan, SERVER_SPANS } from './own-spans.js';
import { patchMcpClientOperations } from './patch-client-operations.js';
import { failOnToolError, unwrapToolError } from './tool-error.js';

interface ClientLike {
  getServerVersion?: () => { name?: unknown } | undefined;
  transport?: { sessionId?: unknown };
}

interface CallToolParams {
  name: string;
  arguments?: unknown;
  _meta?: unknown;
}

/**
 * Makes `Client.prototype.callTool` (v1 and v2 alike) an audited `execute_tool` call that carries trace and
 * audit context to the server in `params._meta`. Returns false when the export is not the expected class.
 */
export function patchMcpClient(exports: Record<string, unknown>): boolean {
  const Client = exports.Client as ((...args: never[]) => unknown) | undefined;
  if (typeof Client !== 'function' || !Client.prototype) return false;
  patchMcpClientOperations(Client);
  return wrapMethod(
    Client.prototype,
    'callTool',
    (original) =>
      function callTool(this: ClientLike, params: unknown, ...rest: unknown[]): unknown {
        if (!isCallToolParams(params)) return original.call(this, params, ...rest);
        const attributes = clientAttributes(this);
        const existing = activeSpanWithAttributes();
        // Another instrumentation (an agent framework's tool span, another MCP hook) already traces this call:
        // enrich its span and propagate, rather than writing a second record for one call.
        if (
          existing &&
          !SERVER_SPANS.has(existing.span) &&
          tracesThisCall(existing.attributes, params.name)
        ) {
          safely(() => existing.span.setAttributes(attributes));
          return original.call(this, withPropagatedMeta(params), ...rest);
        }
        if (!activeAuditor()) return original.call(this, withPropagatedMeta(params), ...rest);
        const server = attributes[ATTR_TOOLTRAIL_MCP_SERVER_NAME];
        return (
          auditToolCall(
            {
              name: params.name,
              args: params.arguments ?? {},
              type: 'extension',
              attributes,
              extra: server === undefined ? undefined : { mcp_server: server },
            },
            // Inside the execute_tool span: the traceparent sent is this span's.
            () => {
              markClientSpan();
              return failOnToolError(() => original.call(this, withPropagatedMeta(params), ...rest));
            },
          ) as Promise<unknown>
        ).then(undefined, unwrapToolError);
      },
  );
}

/** An active span for this same tool, from an agent framework (execute_tool) or another MCP hook. */
function tracesThisCall(attributes: Attributes, toolName: string): boolean {
  if (attributes[ATTR_GEN_AI_TOOL_NAME] !== undefined && attributes[ATTR_GEN_AI_TOOL_NAME] !== toolName)
    return false;
  return (
    attributes[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_EXECUTE_TOOL ||
    attributes[ATTR_MCP_METHOD_NAME] === MCP_METHOD_TOOLS_CALL
  );
}

function clientAttributes(client: ClientLike): Attributes {
  const attributes: Attributes = { [ATTR_MCP_METHOD_NAME]: MCP_METHOD_TOOLS_CALL };
  safely(() => {
    const name = client.getServerVersion?.()?.name;
    if (typeof name === 'string' && name) attributes[ATTR_TOOLTRAIL_MCP_SERVER_NAME] = name;
    const sessionId = client.transport?.sessionId;
    if (typeof sessionId === 'string' && sessionId) attributes[ATTR_MCP_SESSION_ID] = sessionId;
  });
  return attributes;
}

function isCallToolParams(params: unknown): params is CallToolParams {
  return typeof params === 'object' && params !== null && typeof (params as CallToolParams).name === 'string';
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Attributes are best effort; the call itself must go through.
  }
}
