// The parts of the AI SDK's telemetry events this instrumentation reads: structural, so no SDK type is imported
// and one definition covers 6.x and 7.x.

/** The parts of an AI SDK tool call this instrumentation reads (6.x and 7.x share them). */
export interface ToolCallLike {
  toolCallId?: string;
  toolName?: string;
  input?: unknown;
  providerExecuted?: boolean;
  invalid?: boolean;
  error?: unknown;
}

export interface ModelInfoLike {
  modelId?: string;
}

/** 6.x `onToolCallStart` / `onToolCallFinish`. */
export interface ToolCallEventV6 {
  toolCall: ToolCallLike;
  model?: ModelInfoLike;
  messages?: unknown;
  success?: boolean;
  output?: unknown;
  error?: unknown;
}

/** 7.x `executeTool` options. */
export interface ExecuteToolOptionsV7 {
  callId: string;
  toolCallId: string;
  toolCall: ToolCallLike;
  messages?: unknown;
  aiVersion?: string;
  execute: () => PromiseLike<unknown>;
}

/** 7.x `onToolExecutionEnd`. */
export interface ToolExecutionEndEventV7 {
  callId: string;
  toolCall: ToolCallLike;
  toolOutput?: { type?: string; output?: unknown; error?: unknown };
  aiVersion?: string;
}

/** A step result (6.x `onStepFinish`, 7.x `onStepEnd`). */
export interface StepEventLike {
  callId?: string;
  stepNumber?: number;
  model?: ModelInfoLike;
  toolCalls?: ToolCallLike[];
  content?: Array<{ type?: string; toolCallId?: string }>;
  aiVersion?: string;
}
