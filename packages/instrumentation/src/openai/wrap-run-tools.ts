import type { AuditTrigger } from '@tooltrail/core';
import type { ToolAuditor } from '@tooltrail/core/internal';
import { activeAuditor } from '@tooltrail/core/internal';

const ORIGINAL = Symbol.for('tooltrail.openai.original-run-tools');

/** The parts of the `Completions` prototype (`client.chat.completions`) the patch touches. */
export interface CompletionsPrototype {
  runTools: (...args: unknown[]) => unknown;
  [ORIGINAL]?: (...args: unknown[]) => unknown;
}

type ToolFunction = (args: unknown, runner: unknown, toolContext: unknown) => unknown;

interface RunnerLike {
  messages?: unknown;
}

interface MessageLike {
  role?: unknown;
  content?: unknown;
  tool_call_id?: unknown;
  tool_calls?: Array<{ id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } }>;
}

/**
 * Wraps `chat.completions.runTools` so each function the runner executes runs as an audited `execute_tool` span
 * with the request's model, the tool call id of the assistant message that asked for it, and the trigger.
 */
export function patchRunTools(prototype: CompletionsPrototype): boolean {
  if (typeof prototype?.runTools !== 'function' || prototype[ORIGINAL]) return false;
  const original = prototype.runTools;
  const runTools = function (this: unknown, ...args: unknown[]): unknown {
    const [body, ...rest] = args;
    let wrapped = body;
    try {
      wrapped = wrapBody(body);
    } catch {
      // Telemetry never breaks the call: run it unaudited.
    }
    return original.apply(this, [wrapped, ...rest]);
  };
  Object.defineProperty(runTools, 'name', { value: 'runTools', configurable: true });
  prototype.runTools = runTools;
  prototype[ORIGINAL] = original;
  return true;
}

export function unpatchRunTools(prototype: CompletionsPrototype): void {
  const original = prototype?.[ORIGINAL];
  if (!original) return;
  prototype.runTools = original;
  delete prototype[ORIGINAL];
}

/** A copy of the request whose tool functions are audited; the caller's objects are left untouched. */
function wrapBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const request = body as { tools?: unknown; model?: unknown };
  if (!Array.isArray(request.tools)) return body;
  const model = typeof request.model === 'string' ? request.model : undefined;
  const claimed = new WeakMap<object, Set<string>>();
  const tools = request.tools.map((tool) => wrapTool(tool, model, claimed));
  return { ...request, tools };
}

function wrapTool(tool: unknown, model: string | undefined, claimed: WeakMap<object, Set<string>>): unknown {
  if (typeof tool !== 'object' || tool === null) return tool;
  const candidate = tool as { $callback?: unknown; function?: { function?: unknown; name?: unknown } };
  // `zodFunction()` / auto-parseable tools carry the function as `$callback` (often non-enumerable).
  if (typeof candidate.$callback === 'function') {
    const name = String(candidate.function?.name ?? 'unknown');
    const descriptors = Object.getOwnPropertyDescriptors(tool);
    // The SDK defines `$callback` non-configurable: build the copy with the wrapped one instead of redefining.
    descriptors.$callback = {
      value: auditedFunction(candidate.$callback as ToolFunction, name, model, claimed),
      enumerable: descriptors.$callback?.enumerable ?? false,
      configurable: true,
      writable: true,
    };
    const copy = Object.create(Object.getPrototypeOf(tool), descriptors) as Record<string, unknown>;
    return copy;
  }
  // `{ type: 'function', function: { function, parse, name } }` (RunnableToolFunction).
  const runnable = candidate.function;
  if (runnable && typeof runnable.function === 'function') {
    const fn = runnable.function as ToolFunction & { name?: string };
    const name = String(runnable.name ?? fn.name ?? 'unknown');
    return {
      ...candidate,
      function: { ...runnable, name, function: auditedFunction(fn, name, model, claimed) },
    };
  }
  return tool;
}

function auditedFunction(
  fn: ToolFunction,
  name: string,
  model: string | undefined,
  claimed: WeakMap<object, Set<string>>,
): ToolFunction {
  return function (this: unknown, args: unknown, runner: unknown, toolContext: unknown): unknown {
    const auditor: ToolAuditor | undefined = activeAuditor();
    if (!auditor) return fn.call(this, args, runner, toolContext);
    const found = findToolCall(runner as RunnerLike, name, args, claimed);
    return auditor.run({
      name,
      args,
      callId: found.callId,
      trigger: found.trigger,
      context: { model },
      invoke: () => fn.call(this, args, runner, toolContext),
    });
  };
}

/**
 * The runner passes itself to the function but not the tool call: find the call in the last assistant message
 * (same name and arguments, first one not yet claimed, so parallel calls of one tool get distinct ids).
 */
function findToolCall(
  runner: RunnerLike,
  name: string,
  args: unknown,
  claimed: WeakMap<object, Set<string>>,
): { callId?: string; trigger?: AuditTrigger } {
  try {
    const messages = Array.isArray(runner?.messages) ? (runner.messages as MessageLike[]) : [];
    let assistantIndex = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i];
      if (message?.role === 'assistant' && Array.isArray(message.tool_calls)) {
        assistantIndex = i;
        break;
      }
    }
    if (assistantIndex < 0) return {};
    const assistant = messages[assistantIndex] as MessageLike;
    const taken = claimed.get(assistant) ?? new Set<string>();
    claimed.set(assistant, taken);
    const calls = (assistant.tool_calls ?? []).filter(
      (call) => call?.function?.name === name && typeof call.id === 'string' && !taken.has(call.id),
    );
    const match = calls.find((call) => sameArguments(call.function?.arguments, args)) ?? calls[0];
    const callId = typeof match?.id === 'string' ? match.id : undefined;
    if (callId) taken.add(callId);
    return { callId, trigger: triggerBefore(messages, assistantIndex) };
  } catch {
    return {};
  }
}

/** `follow_up` when tool results came back since the last user message (the model is on a later round). */
function triggerBefore(messages: MessageLike[], assistantIndex: number): AuditTrigger | undefined {
  for (let i = assistantIndex - 1; i >= 0; i--) {
    const role = messages[i]?.role;
    if (role === 'user') return undefined;
    if (role === 'tool') return 'follow_up';
  }
  return undefined;
}

function sameArguments(raw: unknown, args: unknown): boolean {
  if (typeof raw !== 'string') return false;
  if (typeof args === 'string') return raw === args;
  try {
    return JSON.stringify(JSON.parse(raw)) === JSON.stringify(args);
  } catch {
    return false;
  }
}
