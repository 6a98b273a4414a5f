import * as crypto from 'node:crypto';
import { canonicalize, quoteKey, sortedKeys } from '../canonical/canonical-json.js';

/**
 * Canonical JSON of a record without its `hash`, the hash over it, and the stored line (canonical JSON with
 * the hash), built from one serialisation: JCS orders top-level keys, so the hash member is spliced in
 * between the members before and after `"hash"`. Byte-identical to `referenceSealRecord` (property-tested).
 */
export function sealRecord(record: Record<string, unknown>): { hash: string; line: string } {
  const keys = sortedKeys(Object.keys(record));
  let before = '';
  let after = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === 'hash') continue;
    const value = record[key];
    if (value === undefined) continue;
    const member = `${quoteKey(key)}:${canonicalize(value)}`;
    if (key < 'hash') before = before === '' ? member : `${before},${member}`;
    else after = after === '' ? member : `${after},${member}`;
  }
  const unhashed = before === '' ? `{${after}}` : after === '' ? `{${before}}` : `{${before},${after}}`;
  const hash = sha256Hex(unhashed);
  const head = before === '' ? `{"hash":"${hash}"` : `{${before},"hash":"${hash}"`;
  return { hash, line: after === '' ? `${head}}` : `${head},${after}}` };
}

/** SHA-256 over the canonical JSON of the record without `hash` (what a verifier recomputes). */
export function computeRecordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalize(rest));
}

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;
// crypto.hash (Node >= 20.12) skips the Hash object; older Node falls back to createHash.
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** Hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}
