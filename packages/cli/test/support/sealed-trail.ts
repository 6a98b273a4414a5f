import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendCheckpoint } from '../../../core/src/chain/checkpoint.js';
import { HashChain } from '../../../core/src/chain/hash-chain.js';
import { generateSigningKeyPair, loadSigningKey } from '../../../core/src/keys/signing-key.js';

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

/** The key sealed trails are signed with unless a test passes its own (one per test file). */
export const TEST_KEY = generateSigningKeyPair();

/** Writes the public half of `privateKeyPem` (SPKI PEM) to `file`, to pin with `--public-key` or the env. */
export function writePublicKey(file: string, privateKeyPem = TEST_KEY.privateKeyPem): string {
  const loaded = loadSigningKey({ privateKey: privateKeyPem });
  writeFileSync(file, loaded.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return file;
}

/**
 * Writes one chain with the timestamps the test chooses, exactly as the SDK writes it: a signed genesis
 * checkpoint at seq 0 (dated like the first call), one tool-call record per call from seq 1, and a final signed
 * checkpoint (unless `final: false`, which leaves the calls as an unprotected tail). Returns every stored line,
 * checkpoints included: `lines[i + 1]` is call `i`.
 */
export function writeSealedTrail(
  dir: string,
  chain: string,
  calls: Call[],
  options: { privateKeyPem?: string; final?: boolean } = {},
): string[] {
  mkdirSync(dir, { recursive: true });
  const key = loadSigningKey({ privateKey: options.privateKeyPem ?? TEST_KEY.privateKeyPem });
  const hashChain = new HashChain({ id: chain });
  const policy = { everyRecords: 100, everyMillis: 60_000 };
  const first = calls[0]?.ts ?? '2020-01-01T00:00:00.000Z';
  const lines = [appendCheckpoint(hashChain, key, { ...policy, final: false, ts: first }).line];
  for (const call of calls) {
    const ok = call.success ?? true;
    const fields: Record<string, unknown> = {
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
    lines.push(hashChain.append('tool_call', call.ts, fields).line);
  }
  if (options.final ?? true) {
    const last = calls[calls.length - 1]?.ts ?? first;
    lines.push(appendCheckpoint(hashChain, key, { ...policy, final: true, ts: last }).line);
  }
  writeFileSync(join(dir, `${chain}.000000.jsonl`), `${lines.join('\n')}\n`);
  return lines;
}
