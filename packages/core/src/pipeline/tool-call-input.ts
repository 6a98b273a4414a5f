import type { AuditContext } from '../types.js';

/** A finished tool call, before redaction. */
export interface ToolCallInput {
  tool: string;
  callId?: string | null;
  args: unknown;
  outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
  durationMs: number;
  startTimeMs: number;
  traceId?: string;
  spanId?: string;
  context: Readonly<AuditContext>;
  subject?: string | null;
  retention?: string;
  trigger?: string | null;
  /** Extra record fields (e.g. framework metadata); redacted like arguments. */
  extra?: Record<string, unknown>;
  /** The intent record this call's result closes (strict mode). */
  intent?: IntentLink;
  /** False when strict mode refused to run the tool. */
  executed?: boolean;
}

/** What an intent record is made of: a tool call before it runs. */
export type IntentInput = Omit<ToolCallInput, 'outcome' | 'durationMs' | 'intent' | 'executed'>;

/** seq and hash of an intent record, copied into its tool call record as `intent_seq` / `intent_hash`. */
export interface IntentLink {
  seq: number;
  hash: string;
}
