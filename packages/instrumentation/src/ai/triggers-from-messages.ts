import type { AuditTrigger } from '@tooltrail/core';

/** The parts of an AI SDK `ModelMessage` this instrumentation reads. */
export interface MessageLike {
  role?: unknown;
  content?: unknown;
}

/**
 * What caused a tool call, as the conversation the model saw tells it: `retry` when the same tool already failed
 * since the last user message, `follow_up` when the model called it after tool results without a new user
 * message, `undefined` (the audit context decides) when the call answers a user message directly.
 */
export function triggerFromMessages(messages: unknown, toolName: string): AuditTrigger | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const list = messages as MessageLike[];
  let lastUser = -1;
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  for (let i = lastUser + 1; i < list.length; i++) {
    const message = list[i];
    if (message?.role !== 'tool' || !Array.isArray(message.content)) continue;
    for (const part of message.content as Array<Record<string, unknown>>) {
      if (part?.type !== 'tool-result' || part.toolName !== toolName) continue;
      const outputType = (part.output as { type?: unknown } | undefined)?.type;
      if (typeof outputType === 'string' && outputType.startsWith('error')) return 'retry';
    }
  }
  return lastUser === list.length - 1 ? undefined : 'follow_up';
}
