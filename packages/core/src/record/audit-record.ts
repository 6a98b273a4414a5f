import type { AuditTrigger } from '../types.js';

/** Hash of the record before the first: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The current record format version. */
export const RECORD_VERSION = 1;

/** Fields every chained record carries (docs/record-format.md). */
export interface ChainedFields {
  v: number;
  type: string;
  chain: string;
  seq: number;
  prev: string;
  hash: string;
  ts: string;
}

/** A tool call as stored, hashed and exported. Extra fields are allowed and covered by the hash. */
export interface ToolCallRecord extends ChainedFields {
  type: 'tool_call';
  trace_id: string | null;
  span_id: string | null;
  tool: string;
  call_id: string | null;
  args: unknown;
  result: unknown;
  success: boolean;
  error: { type: string; message: string } | null;
  duration_ms: number;
  user: string | null;
  role: string | null;
  conversation: string | null;
  turn: number | null;
  model: string | null;
  trigger: AuditTrigger | string | null;
  purpose: string | null;
  subject: string | null;
  retention: string;
  [extra: string]: unknown;
}

/** A signed checkpoint: Ed25519 over the canonical JSON of the record without `sig` and `hash`. */
export interface CheckpointRecord extends ChainedFields {
  type: 'checkpoint';
  alg: 'ed25519';
  key_id: string;
  public_key: string;
  /** The records this checkpoint vouches for: seq `from` to `to` (inclusive), whose head hash is `prev`. */
  covers: { from: number; to: number };
  /** Checkpoint policy in force, so a verifier can tell a missing checkpoint from a quiet chain. */
  every_records: number;
  /** Written at shutdown: nothing follows in this chain. */
  final: boolean;
  sig: string;
  [extra: string]: unknown;
}

/** Any chained record: tool calls, checkpoints and the types later versions add (intent, retention, ...). */
export type AuditRecord = ToolCallRecord | CheckpointRecord | (ChainedFields & Record<string, unknown>);
