import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The attacker's tools: the public record format, SHA-256, a JSON serialiser and a key of their own. Nothing
 * from the SDK's internals — what someone with write access to the trail directory can do with a text editor
 * and a script.
 */
export type Json = Record<string, unknown>;

/** Canonical JSON as the record format documents it (RFC 8785): keys sorted, no whitespace. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value as Json).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Json)[key])}`).join(',')}}`;
}

/** Seals a record as the format says: hash = SHA-256 of the canonical JSON without `hash`. */
export function seal(record: Json): string {
  const { hash: _drop, ...rest } = record;
  const hash = createHash('sha256').update(canonical(rest)).digest('hex');
  return canonical({ ...rest, hash });
}

export const parse = (line: string) => JSON.parse(line) as Json;
export const hashOf = (line: string) => parse(line).hash as string;

/** Appends records after `lines` (same chain), linked and numbered correctly. */
export function appendForged(lines: string[], records: Json[]): string[] {
  const out = [...lines];
  for (const fields of records) {
    const last = parse(out[out.length - 1] as string);
    out.push(seal({ ...fields, v: 1, chain: last.chain, seq: (last.seq as number) + 1, prev: last.hash }));
  }
  return out;
}

/** A forged tool call: dr_evil opened a patient's chart. */
export function evilCall(subject = 'patient:P-1'): Json {
  return {
    type: 'tool_call',
    ts: new Date().toISOString(),
    trace_id: null,
    span_id: null,
    tool: 'access_patient_record',
    call_id: null,
    args: { patient_id: subject.split(':')[1] },
    result: { success: true },
    success: true,
    error: null,
    duration_ms: 1,
    user: 'dr_evil',
    role: 'physician',
    conversation: null,
    turn: null,
    model: null,
    trigger: 'user_request',
    purpose: 'treatment',
    subject,
    retention: 'healthcare',
  };
}

/** Renumbers and rehashes every line from index `from` on (records dropped or edited before). */
export function relink(lines: string[], from: number): string[] {
  const out = lines.slice(0, from);
  for (const line of lines.slice(from)) {
    const record = parse(line);
    const last = out.length > 0 ? parse(out[out.length - 1] as string) : undefined;
    record.seq = last ? (last.seq as number) + 1 : 0;
    record.prev = last ? last.hash : '0'.repeat(64);
    out.push(seal(record));
  }
  return out;
}

/** The attacker's own Ed25519 key, and a signature over a checkpoint as the format documents it. */
export function forgerKey(): { publicKeyBase64: string; signCheckpoint: (record: Json) => Json } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const publicKeyBase64 = der.subarray(der.length - 32).toString('base64');
  return {
    publicKeyBase64,
    signCheckpoint: (record) => {
      const { sig: _sig, hash: _hash, ...signed } = record;
      return { ...record, sig: sign(null, Buffer.from(canonical(signed)), privateKey).toString('base64') };
    },
  };
}

/** The trail's segment files, in name order. */
export function segments(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(dir, name));
}

export function readLines(file: string): string[] {
  return readFileSync(file, 'utf8').trimEnd().split('\n');
}

export function writeLines(file: string, lines: string[]): void {
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export function remove(file: string): void {
  rmSync(file);
}
