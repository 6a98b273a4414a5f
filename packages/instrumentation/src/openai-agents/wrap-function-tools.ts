import { activeAuditor } from '@tooltrail/core/internal';
import { wrapMethod } from '../internal/wrap-method.js';
import {
  type AgentsSpanLike,
  AgentsToolError,
  type AuditTraceProcessor,
  errorMessage,
  parseJson,
} from './audit-trace-processor.js';

const WRAPPED = Symbol.for('tooltrail.openai-agents.invoke');

interface FunctionToolLike {
  type?: unknown;
  name?: unknown;
  invoke?: unknown;
}

type Invoke = (this: unknown, runContext: unknown, input: unknown, details?: unknown) => Promise<unknown>;

/**
 * Patches `Agent.prototype.getAllTools` (the tools a turn offers the model) of one `@openai/agents-core` copy, so
 * each function tool's `invoke` runs as an audited call: an `execute_tool` OTel span around the tool body (its
 * spans are children), with the model's call id. The trace processor's record for that function span is claimed.
 */
export function patchAgentTools(
  exports: Record<string, unknown>,
  processor: () => AuditTraceProcessor | undefined,
): boolean {
  const Agent = exports.Agent as { prototype?: object } | undefined;
  const getCurrentSpan = exports.getCurrentSpan as (() => AgentsSpanLike | null) | undefined;
  if (!Agent?.prototype || typeof getCurrentSpan !== 'function') return false;
  return wrapMethod(
    Agent.prototype,
    'getAllTools',
    (original) =>
      async function getAllTools(this: unknown, ...args: unknown[]): Promise<unknown> {
        const tools = await original.apply(this, args);
        if (Array.isArray(tools))
          for (const tool of tools) wrapFunctionTool(tool as FunctionToolLike, getCurrentSpan, processor);
        return tools;
      },
  );
}

function wrapFunctionTool(
  tool: FunctionToolLike,
  getCurrentSpan: () => AgentsSpanLike | null,
  processor: () => AuditTraceProcessor | undefined,
): void {
  if (tool?.type !== 'function' || typeof tool.invoke !== 'function') return;
  if (Object.hasOwn(tool.invoke, WRAPPED)) return;
  const original = tool.invoke as Invoke;
  const name = typeof tool.name === 'string' && tool.name !== '' ? tool.name : 'unknown';
  const invoke: Invoke = async function invoke(this: unknown, runContext, input, details) {
    const auditor = activeAuditor();
    const trace = processor();
    if (!auditor || !trace || trace.paused) return original.call(this, runContext, input, details);
    let span: AgentsSpanLike | null = null;
    try {
      span = getCurrentSpan();
    } catch {
      // No Agents span (tracing disabled): the call is still audited, without its failure flag.
    }
    const { context, trigger } = trace.claim(span);
    const callId = (details as { toolCall?: { callId?: unknown } } | undefined)?.toolCall?.callId;
    let output: unknown;
    let failed: AgentsToolError | undefined;
    try {
      return await (auditor.run({
        name,
        args: parseJson(input),
        callId: typeof callId === 'string' ? callId : undefined,
        trigger,
        context,
        extra: { agents_trace_id: span?.traceId ?? null, agents_span_id: span?.spanId ?? null },
        async: true,
        invoke: async () => {
          output = await original.call(this, runContext, input, details);
          // The SDK turns a tool's error into an output for the model and flags the span: record a failure.
          if (span?.error) {
            failed = new AgentsToolError(errorMessage(span.error));
            throw failed;
          }
          return output;
        },
      }) as Promise<unknown>);
    } catch (error) {
      if (failed && error === failed) return output;
      throw error;
    }
  };
  Object.defineProperty(invoke, WRAPPED, { value: original });
  try {
    tool.invoke = invoke;
  } catch {
    // A frozen tool stays unwrapped; the trace processor records its calls.
  }
}
