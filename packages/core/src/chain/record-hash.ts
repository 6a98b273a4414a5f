import { createHash } from 'node:crypto';
import { canonicalize } from '../canonical/canonical-json.js';

/**
 * Canonical JSON of a record without its `hash`, the hash over it, and the stored line (canonical JSON with
 * the hash), built from one serialisation: JCS orders top-level keys, so the hash member is spliced in.
 */
export function sealRecord(record: Record<string, unknown>): { hash: string; line: string } {
  const keys = Object.keys(record)
    .filter((key) => key !== 'hash' && record[key] !== undefined)
    .sort();
  const members: string[] = [];
  for (const key of keys) members.push(`${JSON.stringify(key)}:${canonicalize(record[key])}`);
  const unhashed = `{${members.join(',')}}`;
  const hash = createHash('sha256').update(unhashed).digest('hex');
  let at = keys.findIndex((key) => key > 'hash');
  if (at === -1) at = keys.length;
  members.splice(at, 0, `"hash":"${hash}"`);
  return { hash, line: `{${members.join(',')}}` };
}

/** SHA-256 over the canonical JSON of the record without `hash` (what a verifier recomputes). */
export function computeRecordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = record;
  return createHash('sha256').update(canonicalize(rest)).digest('hex');
}
