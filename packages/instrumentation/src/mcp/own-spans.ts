import { type Span, trace } from '@opentelemetry/api';

/**
 * Spans this instrumentation started, by side. A server tool that calls another MCP server is a new call, not
 * a duplicate of its own span; an in-process server sees the client's span as active, and is not a duplicate.
 */
export const CLIENT_SPANS = shared('tooltrail.mcp.client-spans');
export const SERVER_SPANS = shared('tooltrail.mcp.server-spans');

export function markClientSpan(): void {
  const span = trace.getActiveSpan();
  if (span) CLIENT_SPANS.add(span);
}

export function markServerSpan(): void {
  const span = trace.getActiveSpan();
  if (span) SERVER_SPANS.add(span);
}

// Symbol.for: the ESM and CJS builds of this package, if both get loaded, see the same spans.
function shared(name: string): WeakSet<Span> {
  const slots = globalThis as { [key: symbol]: WeakSet<Span> | undefined };
  const key = Symbol.for(name);
  slots[key] ??= new WeakSet<Span>();
  return slots[key];
}
