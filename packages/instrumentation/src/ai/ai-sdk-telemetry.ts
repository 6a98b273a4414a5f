import { activeAuditor } from '@tooltrail/core/internal';
import { type PendingCall, startDeferredRun } from './deferred-run.js';
import type {
  ExecuteToolOptionsV7,
  StepEventLike,
  ToolCallEventV6,
  ToolExecutionEndEventV7,
} from './event-types.js';
import { recordNotExecuted } from './record-not-executed.js';
import { ToolSpanContexts } from './tool-context.js';
import { type ChannelMessage, TracingChannelAudit } from './tracing-channel-audit.js';
import { triggerFromMessages } from './triggers-from-messages.js';

const MAX_TRACKED_GENERATIONS = 1000;
/** 7.x: how long a finished `execute` waits for `onToolExecutionEnd` to hand over the output. */
const OUTPUT_WAIT_MILLIS = 1000;

const HOOKS = [
  'onToolCallStart',
  'onToolCallFinish',
  'onStepFinish',
  'onStart',
  'onLanguageModelCallStart',
  'executeTool',
  'onToolExecutionEnd',
  'onStepEnd',
  'onEnd',
  'onAbort',
] as const;

export interface AiSdkTelemetryOptions {
  /** Checks a 7.x event's `aiVersion`; false → the event is ignored. */
  acceptsVersion: (version: string | undefined) => boolean;
}

/**
 * An AI SDK telemetry integration (the object `registerTelemetryIntegration` / `registerTelemetry` take) that
 * turns every executed tool call into an audited `execute_tool` span and records the calls the model requested
 * but that did not run. Implements the 6.x hooks (`onToolCallStart`/`onToolCallFinish`/`onStepFinish`) and the
 * 7.x hooks (`executeTool`/`onToolExecutionEnd`/`onStepEnd`); each major calls only its own.
 */
export class AiSdkTelemetry {
  private readonly _pendingV6 = new WeakMap<object, PendingCall>();
  private readonly _pendingV7 = new Map<string, PendingCall>();
  private readonly _models = new Map<string, string>();
  private readonly _spanContexts = new ToolSpanContexts();
  /** 7.x generations this integration takes part in (a call's own `telemetry.integrations` replace it). */
  private readonly _integrationCalls = new Set<string>();
  private readonly _channel = new TracingChannelAudit({
    acceptsVersion: (version) => this._options.acceptsVersion(version),
    integrationHandles: (callId) => callId !== undefined && this._integrationCalls.has(callId),
    rememberModel: (event) => this._rememberModel(event),
    modelOf: (callId) => (callId === undefined ? undefined : this._models.get(callId)),
    spanContexts: this._spanContexts,
  });

  constructor(private readonly _options: AiSdkTelemetryOptions) {
    // The SDK calls listeners detached from the integration object (6.x), so every hook is bound here.
    for (const hook of HOOKS) {
      const method = this[hook] as (...args: never[]) => unknown;
      Object.defineProperty(this, hook, { value: method.bind(this), enumerable: true });
    }
  }

  // ---- 6.x ----

  onToolCallStart(event: ToolCallEventV6): void {
    const auditor = activeAuditor();
    const toolCall = event?.toolCall;
    if (!auditor || !toolCall || typeof toolCall !== 'object') return;
    const name = String(toolCall.toolName ?? 'unknown');
    const pending = startDeferredRun(
      auditor,
      {
        name,
        args: toolCall.input,
        callId: toolCall.toolCallId,
        trigger: triggerFromMessages(event.messages, name),
        model: event.model?.modelId,
      },
      () => this._spanContexts.remember(toolCall.toolCallId),
    );
    if (pending) this._pendingV6.set(toolCall, pending);
  }

  async onToolCallFinish(event: ToolCallEventV6): Promise<void> {
    const toolCall = event?.toolCall;
    if (!toolCall || typeof toolCall !== 'object') return;
    const pending = this._pendingV6.get(toolCall);
    if (!pending) return;
    this._pendingV6.delete(toolCall);
    this._spanContexts.forget(toolCall.toolCallId);
    if (event.success === false) pending.reject(event.error);
    else pending.resolve(event.output);
    // The SDK awaits this listener: the record is written before the step goes on.
    await pending.done;
  }

  onStepFinish(event: StepEventLike): void {
    // 7.x also calls the deprecated `onStepFinish` beside `onStepEnd`: record once.
    if (event?.aiVersion !== undefined) return;
    this._recordUnexecuted(event, event?.model?.modelId);
  }

  // ---- 7.x ----

  onStart(event: { callId?: string; modelId?: string; aiVersion?: string; tools?: unknown }): void {
    // 6.x calls a tool's `execute` outside the listener that opened its span: wrap it to re-enter the span.
    if (event?.aiVersion === undefined) this._spanContexts.wrapTools(event?.tools);
    else if (typeof event.callId === 'string' && this._options.acceptsVersion(event.aiVersion))
      boundedAdd(this._integrationCalls, event.callId);
    this._rememberModel(event);
  }

  onLanguageModelCallStart(event: { callId?: string; modelId?: string; aiVersion?: string }): void {
    this._rememberModel(event);
  }

  executeTool<T>(options: ExecuteToolOptionsV7): PromiseLike<T> {
    const auditor = activeAuditor();
    if (!auditor || !this._options.acceptsVersion(options.aiVersion))
      return options.execute() as PromiseLike<T>;
    const toolCall = options.toolCall ?? {};
    const name = String(toolCall.toolName ?? 'unknown');
    let execution: PromiseLike<T> | undefined;
    const pending = startDeferredRun(
      auditor,
      {
        name,
        args: toolCall.input,
        callId: options.toolCallId,
        trigger: triggerFromMessages(options.messages, name),
        model: this._models.get(options.callId),
      },
      // Runs inside the span's context, so spans the tool makes are its children.
      () => {
        try {
          execution = options.execute() as PromiseLike<T>;
        } catch (error) {
          execution = Promise.reject(error);
        }
      },
    );
    if (!pending || !execution) return execution ?? (options.execute() as PromiseLike<T>);
    const key = `${options.callId}\u0000${options.toolCallId}`;
    this._pendingV7.set(key, pending);
    Promise.resolve(execution).then(
      () => {
        // The output arrives with `onToolExecutionEnd`; if it never does, close the call without it.
        const timer = setTimeout(() => {
          if (this._pendingV7.get(key) !== pending) return;
          this._pendingV7.delete(key);
          pending.resolve(undefined);
        }, OUTPUT_WAIT_MILLIS);
        timer.unref?.();
      },
      (error: unknown) => {
        if (this._pendingV7.get(key) !== pending) return;
        this._pendingV7.delete(key);
        pending.reject(error);
      },
    );
    return execution;
  }

  async onToolExecutionEnd(event: ToolExecutionEndEventV7): Promise<void> {
    const key = `${event?.callId}\u0000${event?.toolCall?.toolCallId}`;
    const pending = this._pendingV7.get(key);
    if (!pending) return;
    this._pendingV7.delete(key);
    const output = event.toolOutput;
    if (output?.type === 'tool-error') pending.reject(output.error);
    else pending.resolve(output?.output);
    await pending.done;
  }

  onStepEnd(event: StepEventLike): void {
    if (!this._options.acceptsVersion(event?.aiVersion)) return;
    this._recordUnexecuted(event, event?.model?.modelId ?? this._models.get(String(event?.callId)));
  }

  onEnd(event: { callId?: string }): void {
    if (typeof event?.callId !== 'string') return;
    this._models.delete(event.callId);
    this._integrationCalls.delete(event.callId);
  }

  onAbort(event: { callId?: string }): void {
    this.onEnd(event);
  }

  // ---- 7.x tracing channel (calls with their own `telemetry.integrations`) ----

  /** Handlers for `diagnostics_channel.tracingChannel('ai:telemetry')`. */
  readonly channelHandlers = {
    start: (message: unknown) => this._channel.start(message as ChannelMessage),
    end: () => undefined,
    asyncStart: () => undefined,
    asyncEnd: (message: unknown) => this._channel.asyncEnd(message as ChannelMessage),
    error: (message: unknown) => this._channel.error(message as ChannelMessage),
  };

  // ---- shared ----

  private _rememberModel(event: { callId?: string; modelId?: string; aiVersion?: string }): void {
    if (typeof event?.callId !== 'string' || typeof event.modelId !== 'string') return;
    if (!this._options.acceptsVersion(event.aiVersion)) return;
    this._models.delete(event.callId);
    this._models.set(event.callId, event.modelId);
    // Bounded: a generation that never reports its end must not grow the map forever.
    if (this._models.size > MAX_TRACKED_GENERATIONS) {
      const oldest = this._models.keys().next().value;
      if (oldest !== undefined) this._models.delete(oldest);
    }
  }

  /** Tool calls of a finished step that have no result: requested by the model but not executed. */
  private _recordUnexecuted(event: StepEventLike, model: string | undefined): void {
    const auditor = activeAuditor();
    if (!auditor || !Array.isArray(event?.toolCalls) || event.toolCalls.length === 0) return;
    const content = Array.isArray(event.content) ? event.content : [];
    const answered = new Set<string>();
    let approvalRequested = false;
    for (const part of content) {
      if (part?.type === 'tool-result' || part?.type === 'tool-error') answered.add(String(part.toolCallId));
      if (part?.type === 'tool-approval-request') approvalRequested = true;
    }
    for (const toolCall of event.toolCalls) {
      if (!toolCall || toolCall.providerExecuted) continue;
      const invalid = toolCall.invalid === true;
      if (!invalid && answered.has(String(toolCall.toolCallId))) continue;
      recordNotExecuted(auditor, {
        tool: String(toolCall.toolName ?? 'unknown'),
        callId: toolCall.toolCallId,
        args: toolCall.input,
        reason: invalid ? 'invalid_call' : approvalRequested ? 'approval_requested' : 'no_execute',
        message: invalid ? errorText(toolCall.error) : undefined,
        // A later step answers tool results, not a new user message.
        trigger: typeof event.stepNumber === 'number' && event.stepNumber > 0 ? 'follow_up' : undefined,
        context: { model },
      });
    }
  }
}

function boundedAdd(set: Set<string>, value: string): void {
  set.add(value);
  if (set.size <= MAX_TRACKED_GENERATIONS) return;
  const oldest = set.values().next().value;
  if (oldest !== undefined) set.delete(oldest);
}

function errorText(error: unknown): string | undefined {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error && typeof error === 'object' && 'name' in error) return String((error as { name: unknown }).name);
  return undefined;
}
