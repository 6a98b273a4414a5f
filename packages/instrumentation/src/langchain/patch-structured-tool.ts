import { activeAuditor } from '@tooltrail/core/internal';

const ORIGINAL = Symbol.for('tooltrail.langchain.original-call');
/** Tool call ids that failed recently: the same id again is a retry (e.g. `toolRetryMiddleware`). */
const failedCallIds = new Set<string>();
const MAX_FAILED_IDS = 1000;

/** The parts of `StructuredTool.prototype` the patch touches. */
export interface StructuredToolPrototype {
  call: (...args: unknown[]) => unknown;
  [ORIGINAL]?: (...args: unknown[]) => unknown;
}

/** The parts of a LangChain tool instance the patch reads. */
interface ToolLike {
  name?: unknown;
  description?: unknown;
}

/** The parts of a LangChain `RunnableConfig` the patch reads. */
interface ConfigLike {
  toolCall?: { id?: unknown };
  configurable?: { thread_id?: unknown };
  metadata?: { thread_id?: unknown };
}

/**
 * Wraps `StructuredTool.prototype.call` (which `invoke` and every tool subclass go through) so each tool call runs
 * as an audited `execute_tool` span. The record is written before the call's promise settles, in the caller's
 * own await chain — unlike a callback handler, which LangChain runs in the background and can lose on exit.
 */
export function patchStructuredTool(prototype: StructuredToolPrototype): boolean {
  if (typeof prototype?.call !== 'function' || prototype[ORIGINAL]) return false;
  const original = prototype.call;
  const call = function (this: ToolLike, ...callArgs: unknown[]): unknown {
    const auditor = activeAuditor();
    if (!auditor) return original.apply(this, callArgs);
    const [arg, configArg] = callArgs;
    const toolCall = isToolCall(arg) ? arg : undefined;
    const config = (typeof configArg === 'object' && configArg !== null ? configArg : {}) as ConfigLike;
    const callId = toolCall?.id ?? config.toolCall?.id;
    const threadId = config.configurable?.thread_id ?? config.metadata?.thread_id;
    const id = typeof callId === 'string' && callId !== '' ? callId : undefined;
    const result = auditor.run({
      name: typeof this?.name === 'string' && this.name !== '' ? this.name : 'unknown',
      description: typeof this?.description === 'string' ? this.description : undefined,
      args: toolCall ? toolCall.args : arg,
      callId: id,
      trigger: id && failedCallIds.has(id) ? 'retry' : undefined,
      context: { conversationId: typeof threadId === 'string' ? threadId : undefined },
      invoke: () => original.apply(this, callArgs),
    });
    if (!id) return result;
    return Promise.resolve(result).then(
      (value) => {
        failedCallIds.delete(id);
        return value;
      },
      (error: unknown) => {
        failedCallIds.add(id);
        if (failedCallIds.size > MAX_FAILED_IDS)
          failedCallIds.delete(failedCallIds.values().next().value as string);
        throw error;
      },
    );
  };
  Object.defineProperty(call, 'name', { value: 'call', configurable: true });
  prototype.call = call;
  prototype[ORIGINAL] = original;
  return true;
}

/** Restores the original `call`. */
export function unpatchStructuredTool(prototype: StructuredToolPrototype): void {
  const original = prototype?.[ORIGINAL];
  if (!original) return;
  prototype.call = original;
  delete prototype[ORIGINAL];
}

function isToolCall(value: unknown): value is { id?: string; args: unknown } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'tool_call';
}
