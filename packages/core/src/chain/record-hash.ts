import * as crypto from 'node:crypto';
import { canonicalize, isPlain, keyList } from '../canonical/canonical-json.js';

/**
 * The canonical JSON of a record's `args` and `result` members, as written while sealing it: slices of the sealed
 * line (they share its characters), so a span holding them keeps no copy and no rope of the serialisation's pieces.
 */
export interface CapturedMembers {
  args?: string;
  result?: string;
}

/**
 * Canonical JSON of a record without its `hash`, the hash over it, and the stored line (canonical JSON with
 * the hash), built from one serialisation: JCS orders top-level keys, so the hash member is spliced in where
 * the first member after `"hash"` starts. Byte-identical to `referenceSealRecord` (property-tested).
 */
export function sealRecord(
  record: Record<string, unknown>,
  captured?: CapturedMembers,
): { hash: string; line: string } {
  const keys = Object.keys(record);
  let body = '';
  // Index in `body` of the comma before the first member whose key sorts after "hash", counting a closing
  // quote written with that comma (-1: no key sorts after "hash").
  let split = -1;
  // Where the `args` and `result` values start in `body`, and their lengths (-1: no such member).
  let argsAt = -1;
  let argsLength = 0;
  let resultAt = -1;
  let resultLength = 0;
  // The last member was a plain string whose closing quote is written with what follows it.
  let open = false;
  if (keys.length > 0) {
    const list = keyList(keys);
    const { sorted, prefixes, commaPrefixes } = list;
    for (let i = 0; i < sorted.length; i++) {
      const key = sorted[i] as string;
      if (key === 'hash') continue;
      const value = record[key];
      if (value === undefined) continue;
      if (split < 0 && key > 'hash') split = open ? body.length + 1 : body.length;
      // A plain string as in canonicalize's objects: quotes in the key pieces, no quoted copy (`args` and
      // `result` are handed back as text: written as such).
      if (typeof value === 'string' && key !== 'args' && key !== 'result' && isPlain(value)) {
        body +=
          body === ''
            ? (list.quotePrefixes[i] as string)
            : open
              ? (list.closeCommaQuotePrefixes[i] as string)
              : (list.commaQuotePrefixes[i] as string);
        body += value;
        open = true;
        continue;
      }
      // Top-level keys are quoted as JSON.stringify does (prefixes come from quoteKey): never thrown on.
      const text = canonicalize(value);
      body +=
        body === ''
          ? (prefixes[i] as string)
          : open
            ? (list.closeCommaPrefixes[i] as string)
            : (commaPrefixes[i] as string);
      open = false;
      if (captured !== undefined) {
        if (key === 'args') {
          argsAt = body.length;
          argsLength = text.length;
        } else if (key === 'result') {
          resultAt = body.length;
          resultLength = text.length;
        }
      }
      body += text;
    }
  }
  const unhashed = open ? `{${body}"}` : `{${body}}`;
  const hash = sha256Hex(unhashed);
  // Sliced from `unhashed`, which hashing has flattened, rather than from the rope `body`.
  let line: string;
  if (body === '') line = `{"hash":"${hash}"}`;
  else if (split < 0) line = `${unhashed.slice(0, -1)},"hash":"${hash}"}`;
  else if (split === 0) line = `{"hash":"${hash}",${unhashed.slice(1)}`;
  else line = `${unhashed.slice(0, split + 1)},"hash":"${hash}"${unhashed.slice(split + 1)}`;
  // Flattened (slicing a rope copies it into one string): a record waiting in the export queue then holds
  // one string of its own length, not pieces of `unhashed` (about 200 bytes more per queued record).
  const flat = `${line}\n`.slice(0, -1);
  if (captured !== undefined) {
    // Slices of the flat line (no copy, no rope of the serialisation's pieces kept alive by the span): the
    // hash member was inserted at `insertAt` of `unhashed`, which shifts what follows it.
    // The member is `,"hash":"<hex>"` or `"hash":"<hex>",`: 10 characters and the hash.
    const insertAt = split < 0 ? unhashed.length - 1 : split + 1;
    const shift = hash.length + 10;
    if (argsAt >= 0) captured.args = sliceShifted(flat, argsAt + 1, argsLength, insertAt, shift);
    if (resultAt >= 0) captured.result = sliceShifted(flat, resultAt + 1, resultLength, insertAt, shift);
  }
  return { hash, line: flat };
}

/**
 * The `length` characters at `at` of the unhashed text, taken from the line, where `shift` characters (the hash
 * member) were inserted at `insertAt`.
 */
function sliceShifted(line: string, at: number, length: number, insertAt: number, shift: number): string {
  const start = at < insertAt ? at : at + shift;
  return line.slice(start, start + length);
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
