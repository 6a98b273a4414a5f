import { isUtf8 } from 'node:buffer';
import * as crypto from 'node:crypto';
import type { ChainFields } from './record-integrity.js';

/**
 * The verifier's fast path for the common line: a `tool_call` record exactly as the writer stores it (canonical
 * JSON, no whitespace, plain ASCII chain fields). Instead of `JSON.parse`, one pass over the line's bytes checks
 * the JSON grammar of the whole line and picks out the top-level chain fields; the hash is then taken over the
 * bytes themselves.
 *
 * Soundness rule: the scan only ever *accepts* a line that `JSON.parse` accepts too and that yields the same
 * chain fields; anything else (whitespace, escapes in a key or a chain field, duplicate chain fields, a hash member
 * out of its canonical place, other record types, numbers that are not plain integers, invalid UTF-8, deep nesting)
 * makes it return `undefined`, and the caller verifies that line the slow way — so reports are the same as without
 * the fast path (property-tested against `JSON.parse` in test/verify-fast-path.test.ts).
 */
export interface ScannedLine {
  /** The chain fields, as `JSON.parse` would give them (`intent_seq` only when present). */
  record: ChainFields;
  /** Byte offsets of the top-level `"hash":"…"` member: [start, end). */
  hashStart: number;
  hashEnd: number;
  /** Byte offset of the 64 hex digits of the top-level `prev` value. */
  prevAt: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
/** Containers nested deeper than this are left to `JSON.parse`. */
const MAX_DEPTH = 256;

/** Per-scan state: the container stack, and whether a byte >= 0x80 was seen (then the line must be UTF-8). */
const stack = new Uint8Array(MAX_DEPTH);
let sawHighByte = false;
/** Set by skipString when the string held an escape. */
let sawEscape = false;
/** Set by skipValue on a nested `"hash":"` (a key `hash` with a string value): the only way those bytes occur. */
let sawNestedHashMember = false;

/**
 * Where `scanLineFields` found the chain fields of the last line it accepted (one object, overwritten by each
 * scan: no allocation per line). Offsets index the scanned bytes.
 */
export const lineFields = {
  chain: '',
  seq: -1,
  /** -1: no `intent_seq` member. */
  intentSeq: -1,
  /** Offset of the 64 hex digits of `prev`. */
  prevAt: -1,
  /** The top-level `"hash":"…"` member: [hashStart, hashEnd); its hex digits start at `hashStart + 8`. */
  hashStart: -1,
  hashEnd: -1,
};

/** Scans `bytes[start, end)`; undefined means "not for the fast path", never "invalid". */
export function scanToolCallLine(bytes: Uint8Array, start: number, end: number): ScannedLine | undefined {
  if (!scanLineFields(bytes, start, end)) return undefined;
  const { chain, seq, intentSeq, prevAt, hashStart, hashEnd } = lineFields;
  const record: ChainFields = {
    v: 1,
    type: 'tool_call',
    chain,
    seq,
    prev: latin1(bytes, prevAt, prevAt + 64),
    hash: latin1(bytes, hashStart + 8, hashStart + 72),
  };
  if (intentSeq >= 0) record.intent_seq = intentSeq;
  return { record, hashStart, hashEnd, prevAt };
}

/**
 * `scanToolCallLine` without building the record: true when the line takes the fast path, its fields then in
 * `lineFields` (the chain id is the one string it makes, cached across lines of the same chain).
 */
export function scanLineFields(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 2 || bytes[start] !== OPEN_OBJECT) return false;
  sawHighByte = false;
  sawNestedHashMember = false;
  let i = start + 1;
  let type = false;
  let chain: string | undefined;
  let seq = -1;
  let intentSeq = -1;
  let version = false;
  let hashStart = -1;
  let hashEnd = -1;
  let prevAt = -1;
  for (;;) {
    if (bytes[i] !== QUOTE) return false;
    const keyStart = i + 1;
    sawEscape = false;
    i = skipString(bytes, i, end);
    // A key with an escape may decode to a chain field's name (JSON.parse keeps the last of duplicates).
    if (i < 0 || sawEscape || bytes[i] !== COLON) return false;
    const keyEnd = i - 1;
    const valueStart = ++i;
    const name = keyName(bytes, keyStart, keyEnd);
    // The hash member where canonical JSON puts it (after the keys sorting before "hash", before the others): the
    // hash covers the line without it, so a protected line is canonical only if that member has not moved.
    if (name !== 'hash' && sortsAfterHash(bytes, keyStart, keyEnd) !== hashStart >= 0) return false;
    if (name === 'hash' || name === 'prev') {
      // Their value must be a string of 64 lowercase hex digits: checked once, without a generic skip first.
      if (valueStart + 66 > end || !isHex64String(bytes, valueStart, valueStart + 66)) return false;
      i = valueStart + 66;
    } else {
      i = skipValue(bytes, i, end);
      if (i < 0) return false;
    }
    switch (name) {
      case 'hash':
        // The slow path drops the first `"hash":"…"` text of the line: a nested one before the top-level member
        // (only in a crafted line) is left to it, so both paths always give the same verdict.
        if (hashStart >= 0 || sawNestedHashMember) return false;
        hashStart = keyStart - 1;
        hashEnd = i;
        break;
      case 'prev':
        if (prevAt >= 0) return false;
        prevAt = valueStart + 1;
        break;
      case 'seq':
        if (seq !== -1) return false;
        seq = plainInteger(bytes, valueStart, i);
        if (seq < 0) return false;
        break;
      case 'intent_seq':
        if (intentSeq !== -1) return false;
        intentSeq = plainInteger(bytes, valueStart, i);
        if (intentSeq < 0) return false;
        break;
      case 'chain':
        if (chain !== undefined) return false;
        chain = plainString(bytes, valueStart, i);
        if (chain === undefined || chain === '') return false;
        break;
      case 'type':
        if (type) return false;
        if (!isToolCall(bytes, valueStart, i)) return false;
        type = true;
        break;
      case 'v':
        if (version || i - valueStart !== 1 || bytes[valueStart] !== 49) return false;
        version = true;
        break;
      case undefined:
        break;
    }
    const next = bytes[i];
    if (next === COMMA) {
      i++;
      continue;
    }
    if (next === CLOSE_OBJECT && i + 1 === end) break;
    return false;
  }
  if (!version || !type || chain === undefined || seq < 0 || prevAt < 0 || hashStart < 0) return false;
  // JSON.parse sees the line decoded as UTF-8: only a valid UTF-8 line has the same bytes to hash.
  if (sawHighByte && !isUtf8(bytes.subarray(start, end))) return false;
  lineFields.chain = chain;
  lineFields.seq = seq;
  lineFields.intentSeq = intentSeq;
  lineFields.prevAt = prevAt;
  lineFields.hashStart = hashStart;
  lineFields.hashEnd = hashEnd;
  return true;
}

/**
 * Whether the record's hash is the SHA-256 of the line without its hash member (and one adjacent comma): the
 * writer's line is canonical, so those are exactly the hashed bytes. `scratch` must hold `end - start` bytes.
 */
export function scannedHashMatches(
  bytes: Buffer,
  start: number,
  end: number,
  scanned: Pick<ScannedLine, 'hashStart' | 'hashEnd'>,
  scratch: Buffer,
): boolean {
  const { hashStart, hashEnd } = scanned;
  let length: number;
  if (bytes[hashStart - 1] === COMMA) {
    length = bytes.copy(scratch, 0, start, hashStart - 1);
    length += bytes.copy(scratch, length, hashEnd, end);
  } else {
    // The first member: drop the comma after it instead (or nothing, for a record holding only its hash).
    length = bytes.copy(scratch, 0, start, hashStart);
    length += bytes.copy(scratch, length, bytes[hashEnd] === COMMA ? hashEnd + 1 : hashEnd, end);
  }
  // The digest's hex digits against the line's own (lowercase hex, checked by the scan): no string per line.
  const digest = sha256HexOf(scratch.subarray(0, length));
  const at = hashStart + 8;
  for (let k = 0; k < 64; k++) if (digest.charCodeAt(k) !== bytes[at + k]) return false;
  return true;
}

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

function sha256HexOf(data: Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** The chain field a key names, by its raw bytes (keys with escapes are left to the slow path). */
function keyName(bytes: Uint8Array, start: number, end: number): string | undefined {
  switch (end - start) {
    case 1:
      return bytes[start] === 118 ? 'v' : undefined;
    case 3:
      return bytes[start] === 115 && bytes[start + 1] === 101 && bytes[start + 2] === 113 ? 'seq' : undefined;
    case 4: {
      const a = bytes[start];
      const b = bytes[start + 1];
      const c = bytes[start + 2];
      const d = bytes[start + 3];
      if (a === 104 && b === 97 && c === 115 && d === 104) return 'hash';
      if (a === 112 && b === 114 && c === 101 && d === 118) return 'prev';
      if (a === 116 && b === 121 && c === 112 && d === 101) return 'type';
      return undefined;
    }
    case 5:
      return bytes[start] === 99 &&
        bytes[start + 1] === 104 &&
        bytes[start + 2] === 97 &&
        bytes[start + 3] === 105 &&
        bytes[start + 4] === 110
        ? 'chain'
        : undefined;
    case 10:
      return latin1(bytes, start, end) === 'intent_seq' ? 'intent_seq' : undefined;
    default:
      return undefined;
  }
}

const HASH_KEY = Buffer.from('hash');

/**
 * Whether the key `bytes[start, end)` (no escapes) sorts after "hash" in canonical JSON's order, UTF-16 code units:
 * against an ASCII key the UTF-8 bytes order the same way (a non-ASCII character is above every ASCII one in both).
 */
function sortsAfterHash(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  for (let k = 0; k < 4 && k < length; k++) {
    const c = bytes[start + k] as number;
    const h = HASH_KEY[k] as number;
    if (c !== h) return c > h;
  }
  return length > 4;
}

const TOOL_CALL = Buffer.from('"tool_call"');

function isToolCall(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== TOOL_CALL.length) return false;
  for (let i = 0; i < TOOL_CALL.length; i++) if (bytes[start + i] !== TOOL_CALL[i]) return false;
  return true;
}

/** The last chain id read, and its bytes: consecutive lines nearly always name the same chain. */
let lastPlain = '';
let lastPlainBytes = new Uint8Array(0);

/** A string value of printable ASCII without escapes, or undefined. */
export function plainString(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (bytes[start] !== QUOTE) return undefined;
  const length = end - start - 2;
  let same = length === lastPlainBytes.length;
  for (let i = 0; i < length; i++) {
    const c = bytes[start + 1 + i] as number;
    if (c < 32 || c > 126 || c === BACKSLASH) return undefined;
    if (same && lastPlainBytes[i] !== c) same = false;
  }
  if (same) return lastPlain;
  lastPlain = latin1(bytes, start + 1, end - 1);
  // A copy: the caller reuses its buffers, and a view would change under the cache.
  lastPlainBytes = Uint8Array.prototype.slice.call(bytes, start + 1, end - 1);
  return lastPlain;
}

/** 1 for the bytes of lowercase hex digits. */
const LOWER_HEX = new Uint8Array(256);
for (const c of '0123456789abcdef') LOWER_HEX[c.charCodeAt(0)] = 1;

/** Whether `bytes[start, end)` is a string of 64 lowercase hex digits, quotes included. */
function isHex64String(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 66 || bytes[start] !== QUOTE || bytes[end - 1] !== QUOTE) return false;
  for (let i = start + 1; i < end - 1; i++) {
    if (LOWER_HEX[bytes[i] as number] === 0) return false;
  }
  return true;
}

/** A non-negative safe integer written with digits only, or -1. */
function plainInteger(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > 16) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return Number.isSafeInteger(value) ? value : -1;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return (bytes as Buffer).toString('latin1', start, end);
}

/** 1 for printable ASCII bytes other than the quote and the backslash: inside a string, nothing more to check. */
const PLAIN_STRING_BYTE = new Uint8Array(256);
for (let c = 32; c < 127; c++) if (c !== QUOTE && c !== BACKSLASH) PLAIN_STRING_BYTE[c] = 1;
PLAIN_STRING_BYTE[127] = 1;

/** Index after the string starting at `bytes[i]` (a quote), or -1 where JSON.parse might disagree. */
function skipString(bytes: Uint8Array, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = bytes[i] as number;
    // One table load decides the common byte (printable ASCII other than quote and backslash).
    if (PLAIN_STRING_BYTE[c] === 1) {
      i++;
      continue;
    }
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      sawEscape = true;
      const e = bytes[i + 1];
      if (e === 117) {
        for (let k = 2; k < 6; k++) {
          const h = bytes[i + k] as number;
          if (!((h >= 48 && h <= 57) || (h >= 97 && h <= 102) || (h >= 65 && h <= 70))) return -1;
        }
        i += 6;
        continue;
      }
      if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
        continue;
      }
      return -1;
    }
    if (c < 32) return -1;
    if (c > 127) sawHighByte = true;
    i++;
  }
  return -1;
}

/** Index after the JSON number at `bytes[i]`, or -1. */
function skipNumber(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === 45) i++;
  const first = bytes[i] as number;
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) i = skipDigits(bytes, i + 1, end);
  else return -1;
  if (i < end && bytes[i] === 46) {
    const digits = i + 1;
    i = skipDigits(bytes, digits, end);
    if (i === digits) return -1;
  }
  if (i < end && (bytes[i] === 101 || bytes[i] === 69)) {
    i++;
    if (bytes[i] === 43 || bytes[i] === 45) i++;
    const digits = i;
    i = skipDigits(bytes, digits, end);
    if (i === digits) return -1;
  }
  return i;
}

function skipDigits(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i] as number;
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/** Whether the key `"…"` at [key, colon) is `"hash"` and its value a string: the bytes `"hash":"`. */
function isHashKey(bytes: Uint8Array, key: number, colon: number): boolean {
  return (
    bytes[key + 1] === 104 &&
    bytes[key + 2] === 97 &&
    bytes[key + 3] === 115 &&
    bytes[key + 4] === 104 &&
    bytes[colon + 1] === QUOTE
  );
}

/** Index after the JSON value at `bytes[i]` (no whitespace anywhere), or -1. Iterative: no recursion depth. */
function skipValue(bytes: Uint8Array, i: number, end: number): number {
  let depth = 0;
  for (;;) {
    if (i >= end) return -1;
    let c = bytes[i] as number;
    if (c === QUOTE) {
      i = skipString(bytes, i, end);
      if (i < 0) return -1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === MAX_DEPTH) return -1;
      stack[depth++] = c;
      i++;
      if (bytes[i] === (c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        depth--;
        i++;
      } else {
        if (c === OPEN_OBJECT) {
          if (bytes[i] !== QUOTE) return -1;
          const key = i;
          i = skipString(bytes, i, end);
          if (i < 0 || bytes[i] !== COLON) return -1;
          if (i - key === 6 && isHashKey(bytes, key, i)) sawNestedHashMember = true;
          i++;
        }
        continue;
      }
    } else if (c === 116) {
      if (bytes[i + 1] !== 114 || bytes[i + 2] !== 117 || bytes[i + 3] !== 101) return -1;
      i += 4;
    } else if (c === 102) {
      if (bytes[i + 1] !== 97 || bytes[i + 2] !== 108 || bytes[i + 3] !== 115 || bytes[i + 4] !== 101)
        return -1;
      i += 5;
    } else if (c === 110) {
      if (bytes[i + 1] !== 117 || bytes[i + 2] !== 108 || bytes[i + 3] !== 108) return -1;
      i += 4;
    } else {
      i = skipNumber(bytes, i, end);
      if (i < 0) return -1;
    }
    if (i > end) return -1;
    // After a value: close finished containers, or step to the next element / member.
    for (;;) {
      if (depth === 0) return i;
      if (i >= end) return -1;
      c = bytes[i] as number;
      const open = stack[depth - 1];
      if (c === COMMA) {
        i++;
        if (open === OPEN_OBJECT) {
          if (bytes[i] !== QUOTE) return -1;
          const key = i;
          i = skipString(bytes, i, end);
          if (i < 0 || bytes[i] !== COLON) return -1;
          if (i - key === 6 && isHashKey(bytes, key, i)) sawNestedHashMember = true;
          i++;
        }
        break;
      }
      if ((open === OPEN_OBJECT && c === CLOSE_OBJECT) || (open === OPEN_ARRAY && c === CLOSE_ARRAY)) {
        depth--;
        i++;
        continue;
      }
      return -1;
    }
  }
}
