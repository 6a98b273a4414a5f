import { isUtf8 } from 'node:buffer';
import { AUDIT_LOG_SCOPE } from '@tooltrail/core/internal';

/**
 * The audit record lines of one OTLP JSON line of the collector archive, found in the line's bytes without
 * decoding the line or `JSON.parse` (a line holds hundreds of records: parsing it whole leaves megabytes of strings
 * and objects on the heap). One pass checks the JSON grammar of the whole line and follows
 * `resourceLogs[].scopeLogs[].{scope.name, logRecords[].body.stringValue}`.
 *
 * It takes only lines where that gives what `JSON.parse` gives, and says no to anything else (the caller then parses
 * the line as before): a line that is not one JSON object, a duplicate or escaped key on that path, a member of that
 * path of another type than the usual one (`resourceLogs`, `scopeLogs` and `logRecords` arrays of objects, `scope`
 * and `body` objects, a string scope name), an audit log record without a string body, and a body holding invalid
 * UTF-8 or a lone surrogate escape (which UTF-8 cannot carry). Other members (attributes, timestamps, other scopes'
 * records) are only checked for grammar, and the line for valid UTF-8 when a string outside the bodies held a byte
 * past ASCII.
 */
export function scanAuditBodies(line: Buffer): boolean {
  buf = line;
  at = 0;
  limit = line.length;
  spanCount = 0;
  decodedLength = 0;
  // Decoded, the bodies are never longer than the line.
  if (decoded.length < limit) decoded = Buffer.allocUnsafe(Math.max(limit, 1 << 16));
  sawResourceLogs = false;
  sawHighByte = false;
  skipSpace();
  if (objectMembers(TOP)) {
    skipSpace();
    // Without resourceLogs the line is not an OTLP logs export: reported by the parse. Invalid UTF-8 outside the
    // bodies (which are checked as they are decoded) is reported by the parse path too: the collector writes none.
    if (at === limit && sawResourceLogs && !(sawHighByte && !isUtf8(line))) return true;
  }
  spanCount = 0;
  if (decoded.length > KEPT_DECODED_BYTES) decoded = Buffer.allocUnsafe(1 << 16);
  return false;
}

/**
 * Hands each body of the line `scanAuditBodies` last accepted to `sink`, in order, as UTF-8 bytes (valid only
 * during the call).
 */
export function forEachAuditBody(sink: (bytes: Buffer, start: number, end: number) => void): void {
  const bodies = decoded;
  const ends = spans;
  for (let k = 0; k < spanCount; k += 2) sink(bodies, ends[k] as number, ends[k + 1] as number);
  spanCount = 0;
  if (decoded.length > KEPT_DECODED_BYTES) decoded = Buffer.allocUnsafe(1 << 16);
}

/** Lets the buffer of decoded bodies go (at the end of a read: it grows to the longest line's size, 1 MiB at most). */
export function releaseAuditBodyBuffer(): void {
  decoded = Buffer.allocUnsafe(0);
}

// ── the scan ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Where the members of an object are: which keys of the path it holds (the others are skipped). */
const TOP = 0;
const RESOURCE = 1;
const SCOPE_LOGS = 2;
const SCOPE = 3;
const LOG_RECORD = 4;
const BODY = 5;

/** The keys each level follows, by their bytes (index = key id). */
const PATH_KEYS: readonly (readonly Buffer[])[] = [
  [Buffer.from('resourceLogs')],
  [Buffer.from('scopeLogs')],
  [Buffer.from('scope'), Buffer.from('logRecords')],
  [Buffer.from('name')],
  [Buffer.from('body')],
  [Buffer.from('stringValue')],
];
const AUDIT_SCOPE = Buffer.from(AUDIT_LOG_SCOPE);

/** Nesting deeper than this is left to `JSON.parse`. */
const MAX_DEPTH = 256;
const KEPT_DECODED_BYTES = 1 << 20;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** The line being scanned (a read past its end gives undefined, which nothing matches). */
let buf: Buffer = Buffer.alloc(0);
let at = 0;
let limit = 0;
/**
 * The bodies of the line, decoded as they are scanned (UTF-8), and their [start, end) in `decoded`, in order; a
 * scope log's are dropped when its scope is not the audit scope.
 */
let decoded = Buffer.allocUnsafe(0);
let decodedLength = 0;
/** Reused (no allocation per line: fewer young-generation collections, whose survivors make V8 grow it). */
let spans = new Int32Array(1024);
let spanCount = 0;

/** Per object being read: the path keys seen (duplicates are left to `JSON.parse`, which keeps the last). */
let seenKeys = 0;
/** The scope log being read: its scope name (0 none, 1 the audit scope, 2 another) and whether a record is odd. */
let scopeName = 0;
let oddRecord = false;
/** Whether the line's object has its `resourceLogs`. */
let sawResourceLogs = false;
/** The log record being read: whether its body held a string `stringValue`. */
let bodyString = false;

function skipSpace(): void {
  // Past the end, buf[at] is undefined: the loop stops there.
  for (;;) {
    const b = buf[at];
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) at++;
    else return;
  }
}

/** `{ … }` at `at` whose members are those of `level`: path keys to their readers, other keys skipped. */
function objectMembers(level: number): boolean {
  if (buf[at] !== 0x7b) return false;
  at++;
  skipSpace();
  if (buf[at] === 0x7d) {
    at++;
    return true;
  }
  const keys = PATH_KEYS[level] as readonly Buffer[];
  const outerSeen = seenKeys;
  seenKeys = 0;
  for (;;) {
    if (buf[at] !== QUOTE) return false;
    const keyStart = at + 1;
    if (!skipString()) return false;
    const key = pathKey(keys, keyStart, at - 1);
    if (key === -2) return false;
    skipSpace();
    if (buf[at] !== 0x3a) return false;
    at++;
    skipSpace();
    if (key === -1) {
      if (!skipValue(1)) return false;
    } else {
      if ((seenKeys & (1 << key)) !== 0) return false;
      seenKeys |= 1 << key;
      if (!member(level, key)) return false;
    }
    skipSpace();
    const b = buf[at];
    at++;
    if (b === 0x7d) break;
    if (b !== 0x2c) return false;
    skipSpace();
  }
  seenKeys = outerSeen;
  return true;
}

/** The id of the path key at `[from, to)`; -1 for another key, -2 for a key with an escape (left to JSON.parse). */
function pathKey(keys: readonly Buffer[], from: number, to: number): number {
  if (sawEscape) return -2;
  for (let k = 0; k < keys.length; k++) if (sameBytes(keys[k] as Buffer, from, to)) return k;
  return -1;
}

function sameBytes(expected: Buffer, from: number, to: number): boolean {
  if (to - from !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[from + i] !== expected[i]) return false;
  return true;
}

/** The value of path key `key` of `level`. */
function member(level: number, key: number): boolean {
  switch (level) {
    case TOP:
      sawResourceLogs = true;
      return arrayOf(RESOURCE);
    case RESOURCE:
      return arrayOf(SCOPE_LOGS);
    case SCOPE_LOGS:
      return key === 0 ? objectMembers(SCOPE) : arrayOf(LOG_RECORD);
    case SCOPE:
      return scopeNameValue();
    case LOG_RECORD:
      return objectMembers(BODY);
    default:
      return bodyValue();
  }
}

/** `[ … ]` of objects of `level` (an empty array included). */
function arrayOf(level: number): boolean {
  if (buf[at] !== 0x5b) return false;
  at++;
  skipSpace();
  if (buf[at] === 0x5d) {
    at++;
    return true;
  }
  for (;;) {
    if (!element(level)) return false;
    skipSpace();
    const b = buf[at];
    at++;
    if (b === 0x5d) return true;
    if (b !== 0x2c) return false;
    skipSpace();
  }
}

/** One scope log, log record or resource: an object, with what it means for the bodies kept. */
function element(level: number): boolean {
  if (level === SCOPE_LOGS) {
    const kept = spanCount;
    const keptBytes = decodedLength;
    scopeName = 0;
    oddRecord = false;
    if (!objectMembers(SCOPE_LOGS)) return false;
    if (scopeName !== 1) {
      spanCount = kept;
      decodedLength = keptBytes;
    } else if (oddRecord) return false;
    return true;
  }
  if (level === LOG_RECORD) {
    bodyString = false;
    if (!objectMembers(LOG_RECORD)) return false;
    if (!bodyString) oddRecord = true;
    return true;
  }
  return objectMembers(level);
}

function scopeNameValue(): boolean {
  if (buf[at] !== QUOTE) return false;
  const from = at + 1;
  if (!skipString() || sawEscape) return false;
  scopeName = sameBytes(AUDIT_SCOPE, from, at - 1) ? 1 : 2;
  return true;
}

/** `body.stringValue`: a string is a body; any other value makes the record odd. */
function bodyValue(): boolean {
  if (buf[at] !== QUOTE) {
    oddRecord = true;
    return skipValue(1);
  }
  if (!decodeBody()) return false;
  bodyString = true;
  return true;
}

// ── JSON grammar ───────────────────────────────────────────────────────────────────────────────────────────────

/** What a byte is inside a JSON string. */
const PLAIN = 0;
const HIGH = 1;
const CONTROL = 2;
const CLOSE = 3;
const ESCAPE = 4;
const STRING_BYTE = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) STRING_BYTE[b] = CONTROL;
for (let b = 0x80; b < 0x100; b++) STRING_BYTE[b] = HIGH;
STRING_BYTE[QUOTE] = CLOSE;
STRING_BYTE[BACKSLASH] = ESCAPE;

/** The byte each one-character escape stands for (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`); 0 for no escape. */
const ESCAPED = new Uint8Array(256);
ESCAPED[QUOTE] = QUOTE;
ESCAPED[BACKSLASH] = BACKSLASH;
ESCAPED[0x2f] = 0x2f;
ESCAPED[0x62] = 0x08;
ESCAPED[0x66] = 0x0c;
ESCAPED[0x6e] = 0x0a;
ESCAPED[0x72] = 0x0d;
ESCAPED[0x74] = 0x09;

/** Set by `skipString` when the string held an escape. */
let sawEscape = false;
/** Set by `skipString` when a string held a byte past ASCII (then the line's UTF-8 is checked once, at the end). */
let sawHighByte = false;

/** The string at `at` (its opening quote), to after its closing quote: false when it is not valid JSON. */
function skipString(): boolean {
  const bytes = buf;
  const end = limit;
  let i = at + 1;
  let escaped = false;
  for (;;) {
    if (i >= end) return false;
    const kind = STRING_BYTE[bytes[i] as number] as number;
    if (kind <= HIGH) {
      if (kind === HIGH) sawHighByte = true;
      i++;
      continue;
    }
    if (kind === CLOSE) break;
    if (kind === CONTROL || i + 1 >= end) return false;
    escaped = true;
    const e = bytes[i + 1] as number;
    if (e === 0x75) {
      if (i + 6 > end || hex4(bytes, i + 2) < 0) return false;
      i += 6;
    } else if (ESCAPED[e] !== 0) i += 2;
    else return false;
  }
  sawEscape = escaped;
  at = i + 1;
  return true;
}

/**
 * A body string at `at` (its opening quote), decoded as UTF-8 into `decoded` and listed in `spans`; false when it is
 * not valid JSON, holds invalid UTF-8, or a surrogate escape that is not a high one followed at once by a low one.
 */
function decodeBody(): boolean {
  const bytes = buf;
  const end = limit;
  const out = decoded;
  const from = decodedLength;
  let n = from;
  let i = at + 1;
  let high = false;
  for (;;) {
    if (i >= end) return false;
    const b = bytes[i] as number;
    const kind = STRING_BYTE[b] as number;
    if (kind === PLAIN) {
      out[n++] = b;
      i++;
      continue;
    }
    if (kind === HIGH) {
      high = true;
      out[n++] = b;
      i++;
      continue;
    }
    if (kind === CLOSE) break;
    if (kind === CONTROL || i + 1 >= end) return false;
    const e = bytes[i + 1] as number;
    if (e !== 0x75) {
      const value = ESCAPED[e] as number;
      if (value === 0) return false;
      out[n++] = value;
      i += 2;
      continue;
    }
    if (i + 6 > end) return false;
    let code = hex4(bytes, i + 2);
    if (code < 0) return false;
    i += 6;
    if (code >= 0xd800 && code <= 0xdfff) {
      if (code >= 0xdc00 || i + 6 > end || bytes[i] !== BACKSLASH || bytes[i + 1] !== 0x75) return false;
      const low = hex4(bytes, i + 2);
      if (low < 0xdc00 || low > 0xdfff) return false;
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      i += 6;
    }
    if (code < 0x80) out[n++] = code;
    else if (code < 0x800) {
      out[n++] = 0xc0 | (code >> 6);
      out[n++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      out[n++] = 0xe0 | (code >> 12);
      out[n++] = 0x80 | ((code >> 6) & 0x3f);
      out[n++] = 0x80 | (code & 0x3f);
    } else {
      out[n++] = 0xf0 | (code >> 18);
      out[n++] = 0x80 | ((code >> 12) & 0x3f);
      out[n++] = 0x80 | ((code >> 6) & 0x3f);
      out[n++] = 0x80 | (code & 0x3f);
    }
  }
  // Raw bytes ≥ 0x80 must be valid UTF-8 (decoding the line would replace the others); escapes give valid UTF-8.
  if (high && !isUtf8(bytes.subarray(at + 1, i))) return false;
  if (spanCount + 2 > spans.length) {
    const larger = new Int32Array(spans.length * 2);
    larger.set(spans);
    spans = larger;
  }
  spans[spanCount++] = from;
  spans[spanCount++] = n;
  decodedLength = n;
  at = i + 1;
  return true;
}

/** The value of the 4 hex digits (either case) at `bytes[from]` (in the line), or -1. */
function hex4(bytes: Buffer, from: number): number {
  let value = 0;
  for (let i = from; i < from + 4; i++) {
    const digit = HEX[bytes[i] as number] as number;
    if (digit > 15) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

const HEX = new Uint8Array(256).fill(255);
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX[0x41 + d] = 10 + d;
  HEX[0x61 + d] = 10 + d;
}

/** Any JSON value at `at`, checked for grammar, to just after it. */
function skipValue(depth: number): boolean {
  const b = buf[at];
  if (b === QUOTE) return skipString();
  if (b === 0x7b || b === 0x5b) {
    if (depth > MAX_DEPTH) return false;
    const close = b === 0x7b ? 0x7d : 0x5d;
    at++;
    skipSpace();
    if (buf[at] === close) {
      at++;
      return true;
    }
    for (;;) {
      if (b === 0x7b) {
        if (buf[at] !== QUOTE || !skipString()) return false;
        skipSpace();
        if (buf[at] !== 0x3a) return false;
        at++;
        skipSpace();
      }
      if (!skipValue(depth + 1)) return false;
      skipSpace();
      const next = buf[at];
      at++;
      if (next === close) return true;
      if (next !== 0x2c) return false;
      skipSpace();
    }
  }
  if (b === 0x74) return literal(TRUE);
  if (b === 0x66) return literal(FALSE);
  if (b === 0x6e) return literal(NULL);
  return skipNumber();
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function literal(word: Buffer): boolean {
  if (at + word.length > limit || !sameBytes(word, at, at + word.length)) return false;
  at += word.length;
  return true;
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at `at`. */
function skipNumber(): boolean {
  if (buf[at] === 0x2d) at++;
  if (buf[at] === 0x30) at++;
  else if (!digits()) return false;
  if (buf[at] === 0x2e) {
    at++;
    if (!digits()) return false;
  }
  const e = buf[at];
  if (e === 0x65 || e === 0x45) {
    at++;
    if (buf[at] === 0x2b || buf[at] === 0x2d) at++;
    if (!digits()) return false;
  }
  return at <= limit;
}

/** One or more decimal digits at `at`. */
function digits(): boolean {
  const from = at;
  while (at < limit && (buf[at] as number) >= 0x30 && (buf[at] as number) <= 0x39) at++;
  return at > from;
}
