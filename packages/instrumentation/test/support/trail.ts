import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ToolCallRecord, type VerifyReport, verifyTrail } from '@tooltrail/core';

/** Every line of every trail file in `dir`, as raw text (for canary searches) and parsed. */
export function readTrail(dir: string): { text: string; records: Record<string, unknown>[] } {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  const text = files.map((name) => readFileSync(join(dir, name), 'utf8')).join('');
  const records = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { text, records };
}

export function toolCalls(dir: string): ToolCallRecord[] {
  return readTrail(dir).records.filter(
    (record) => record.type === 'tool_call',
  ) as unknown as ToolCallRecord[];
}

/**
 * Verifies `dir` with the key the process generated in `<dir>/keys/` pinned: without a pinned key a verifier
 * cannot tell a re-signed trail from the original, so `ok` needs one.
 */
export function verifyPinned(dir: string): Promise<VerifyReport> {
  const publicKey = readFileSync(join(dir, 'keys', 'signing-key.pub.pem'), 'utf8');
  return verifyTrail(dir, { publicKeys: [publicKey] });
}
