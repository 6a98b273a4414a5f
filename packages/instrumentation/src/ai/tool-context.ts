import { type Context, context } from '@opentelemetry/api';

const WRAPPED = Symbol.for('tooltrail.ai.execute-in-span');

// biome-ignore lint/suspicious/noExplicitAny: tools' execute functions have arbitrary signatures.
type Execute = (this: unknown, input: unknown, options: any) => unknown;

/**
 * The OTel context of each running `execute_tool` span, by tool call id. AI SDK 6 announces a tool call with a
 * listener (`onToolCallStart`) and then calls `execute` from its own context; the tools' `execute`, wrapped once
 * here, re-enters the span's context, so spans the tool body makes (HTTP, DB) are children of `execute_tool`.
 */
export class ToolSpanContexts {
  private readonly _byCallId = new Map<string, Context>();

  /** Remembers the active context (the span's) for `toolCallId` until {@link forget}. */
  remember(toolCallId: unknown): void {
    if (typeof toolCallId === 'string') this._byCallId.set(toolCallId, context.active());
  }

  forget(toolCallId: unknown): void {
    if (typeof toolCallId === 'string') this._byCallId.delete(toolCallId);
  }

  /** Wraps each tool's `execute` in place (once per tool object); a frozen tool is left as it is. */
  wrapTools(tools: unknown): void {
    if (!tools || typeof tools !== 'object') return;
    for (const tool of Object.values(tools as Record<string, unknown>)) {
      if (!tool || typeof tool !== 'object') continue;
      const execute = (tool as { execute?: unknown }).execute;
      if (typeof execute !== 'function' || Object.hasOwn(execute, WRAPPED)) continue;
      const contexts = this._byCallId;
      const original = execute as Execute;
      const wrapped: Execute = function execute(this: unknown, input, options) {
        const spanContext = contexts.get(
          (options as { toolCallId?: unknown } | undefined)?.toolCallId as string,
        );
        return spanContext
          ? context.with(spanContext, () => original.call(this, input, options))
          : original.call(this, input, options);
      };
      Object.defineProperty(wrapped, WRAPPED, { value: original });
      try {
        (tool as { execute: Execute }).execute = wrapped;
      } catch {
        // A frozen tool runs unwrapped: still audited, its inner spans just are not children.
      }
    }
  }
}
