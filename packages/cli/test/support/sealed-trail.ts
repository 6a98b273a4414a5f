import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_HASH, sealRecord } from '@tooltrail/core';

export interface Call {
  ts: string;
  tool?: string;
  user?: string | null;
  role?: string | null;
  subject?: string | null;
  purpose?: string | null;
  success?: boolean;
  duration_ms?: number;
  conversation?: string | null;
  emergency?: string;
  trace_id?: string | null;
  span_id?: string | null;
  turn?: number;
  args?: unknown;
  /** Error message for a failed call (default `denied`). */
  error?: string;
  /** Extra fields, e.g. `mcp_server` / `mcp_client` as MCP auto-instrumentation writes them. */
  extra?: Record<string, unknown>;
}

/**
 * Writes one chain of tool-call records with the timestamps the test chooses, sealed (seq, prev, hash) with
 * core's `sealRecord` exactly as the SDK seals them. No checkpoints: verification warns of an unsigned tail only.
 */
export function writeSealedTrail(dir: string, chain: string, calls: Call[]): string[] {
  mkdirSync(dir, { recursive: true });
  let prev = GENESIS_HASH;
  const lines = calls.map((call, seq) => {
    const ok = call.success ?? true;
    const record: Record<string, unknown> = {
      v: 1,
      type: 'tool_call',
      chain,
      seq,
      prev,
      ts: call.ts,
      trace_id: call.trace_id ?? null,
      span_id: call.span_id ?? null,
      tool: call.tool ?? 'access_patient_record',
      call_id: null,
      args: call.args !== undefined ? call.args : { patient_id: call.subject ?? null },
      result: ok ? { success: true, size: 10, truncated: false } : null,
      success: ok,
      error: ok ? null : { type: 'Error', message: call.error ?? 'denied' },
      duration_ms: call.duration_ms ?? 1,
      user: call.user === undefined ? 'dr_a' : call.user,
      role: call.role === undefined ? 'physician' : call.role,
      conversation: call.conversation ?? `conv_${chain}`,
      turn: call.turn ?? 1,
      model: null,
      trigger: 'user_request',
      purpose: call.purpose === undefined ? 'treatment' : call.purpose,
      subject: call.subject === undefined ? 'patient:P-1' : call.subject,
      retention: 'healthcare',
      ...(call.emergency ? { emergency: true, emergency_reason: call.emergency } : {}),
      ...call.extra,
    };
    const { hash, line } = sealRecord(record);
    prev = hash;
    return line;
  });
  writeFileSync(join(dir, `${chain}.000000.jsonl`), `${lines.join('\n')}\n`);
  return lines;
}
