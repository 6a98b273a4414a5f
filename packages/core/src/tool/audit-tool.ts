import type { AuditToolOptions } from '../types.js';
import type { ToolRun } from './active-auditor.js';
import { activeAuditor, redactedError, warnNotSetUp } from './active-auditor.js';

// biome-ignore lint/suspicious/noExplicitAny: a wrapper must accept any function signature.
type AnyFunction = (...args: any[]) => any;

/**
 * Wraps a tool so every call runs inside an `execute_tool <name>` span and leaves a chained, redacted audit
 * record. The wrapper has the same signature and behaviour: same return value, same thrown error, sync or
 * async. Without `setupToolAudit()` the tool runs unaudited (with one warning).
 */
export function auditTool<F extends AnyFunction>(
  name: string,
  fn: F,
  options: AuditToolOptions<Parameters<F>> = {},
): F {
  if (typeof name !== 'string' || name.trim() === '')
    throw new TypeError('tooltrail: auditTool needs a tool name');
  if (typeof fn !== 'function')
    throw new TypeError(`tooltrail: auditTool(${JSON.stringify(name)}) needs a function`);
  const isAsync = isAsyncFunction(fn);
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    const auditor = activeAuditor();
    if (!auditor) {
      warnNotSetUp();
      return fn.apply(this, args);
    }
    return auditor.run({
      name,
      invoke: () => fn.apply(this, args),
      args: args.length === 1 ? args[0] : args,
      callId: resolveOption(options.callId, args),
      subject: resolveOption(options.subject, args),
      trigger: resolveOption(options.trigger, args),
      retention: options.retention,
      description: options.description,
      type: options.type,
      strict: options.strict,
      async: isAsync,
    }) as ReturnType<F>;
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name || name, configurable: true });
  Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
  return wrapped as F;
}

/** An option given as a value or as a function of the call's arguments; a throwing function counts as unset. */
function resolveOption<T, Args extends unknown[]>(
  option: T | ((...args: Args) => T | undefined) | undefined,
  args: Args,
): T | undefined {
  if (typeof option !== 'function') return option;
  try {
    return (option as (...args: Args) => T | undefined)(...args);
  } catch (error) {
    // Keep the agent running: a bad extractor loses that one field, and is reported once.
    if (!warnedOption) {
      warnedOption = true;
      process.emitWarning(
        `tooltrail: an auditTool option function threw: ${redactedError(error)}`,
        'TooltrailWarning',
      );
    }
    return undefined;
  }
}

let warnedOption = false;

/** `async function`s and `async` arrows: their calls always return a promise. */
function isAsyncFunction(fn: AnyFunction): boolean {
  const tag = (fn as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  return tag === 'AsyncFunction';
}

/**
 * Runs `fn` as one audited tool call described by `call` (for instrumentations and code that does not wrap a
 * function once): same span and record as `auditTool`, same return value or thrown error.
 */
export function auditToolCall<T>(call: Omit<ToolRun, 'invoke'>, fn: () => T): T {
  const auditor = activeAuditor();
  if (!auditor) {
    warnNotSetUp();
    return fn();
  }
  return auditor.run({ ...call, invoke: fn }) as T;
}
