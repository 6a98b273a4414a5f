import { activeAuditor } from '@tooltrail/core/internal';
import { type PendingCall, startDeferredRun } from './deferred-run.js';
import type { ToolCallLike } from './event-types.js';
import type { ToolSpanContexts } from './tool-context.js';
import { triggerFromMessages } from './triggers-from-messages.js';

/** The AI SDK 7 tracing channel: published for every generation and tool execution, whatever integrations a call passes. */
export const AI_SDK_TRACING_CHANNEL = 'ai:telemetry';

/** A message on the AI SDK's tracing channel (the parts read here). */
export interface ChannelMessage {
  type?: string;
  event?: {
    callId?: string;
    modelId?: string;
    aiVersion?: string;
    tools?: unknown;
    toolCall?: ToolCallLike;
    messages?: unknown;
  };
  result?: { output?: { type?: string; output?: unknown; error?: unknown } };
  error?: unknown;
}

/** What the channel audit shares with the telemetry integration. */
export interface ChannelAuditState {
  acceptsVersion: (version: string | undefined) => boolean;
  /** Whether tooltrail's integration takes part in the generation `callId` (it then audits its tools itself). */
  integrationHandles: (callId: string | undefined) => boolean;
  rememberModel: (event: { callId?: string; modelId?: string; aiVersion?: string }) => void;
  modelOf: (callId: string | undefined) => string | undefined;
  spanContexts: ToolSpanContexts;
}

/**
 * Audits the AI SDK 7 tool executions the telemetry integration does not see: a call that passes its own
 * `telemetry.integrations` replaces the global ones, but the SDK still publishes each tool execution on its
 * tracing channel. The span opens at the channel's `start`, the record is written at `asyncEnd`/`error`; the
 * tools' `execute` (wrapped when the generation starts) re-enters the span, so the body's spans are its children.
 */
export class TracingChannelAudit {
  private readonly _pending = new WeakMap<object, PendingCall>();

  constructor(private readonly _state: ChannelAuditState) {}

  start(message: ChannelMessage): void {
    const event = message?.event;
    if (!event || !this._state.acceptsVersion(event.aiVersion)) return;
    if (message.type === 'generateText' || message.type === 'streamText') {
      this._state.rememberModel(event);
      this._state.spanContexts.wrapTools(event.tools);
      return;
    }
    if (message.type === 'languageModelCall') this._state.rememberModel(event);
    if (message.type !== 'executeTool' || this._state.integrationHandles(event.callId)) return;
    const auditor = activeAuditor();
    const toolCall = event.toolCall;
    if (!auditor || !toolCall) return;
    const name = String(toolCall.toolName ?? 'unknown');
    const pending = startDeferredRun(
      auditor,
      {
        name,
        args: toolCall.input,
        callId: toolCall.toolCallId,
        trigger: triggerFromMessages(event.messages, name),
        model: this._state.modelOf(event.callId),
      },
      () => this._state.spanContexts.remember(toolCall.toolCallId),
    );
    if (pending) this._pending.set(message, pending);
  }

  asyncEnd(message: ChannelMessage): void {
    const pending = this._take(message);
    if (!pending) return;
    const output = message.result?.output;
    if (output?.type === 'tool-error') pending.reject(output.error);
    else pending.resolve(output?.output);
  }

  error(message: ChannelMessage): void {
    this._take(message)?.reject(message.error);
  }

  private _take(message: ChannelMessage): PendingCall | undefined {
    if (!message || typeof message !== 'object') return undefined;
    const pending = this._pending.get(message);
    if (!pending) return undefined;
    this._pending.delete(message);
    this._state.spanContexts.forget(message.event?.toolCall?.toolCallId);
    return pending;
  }
}
