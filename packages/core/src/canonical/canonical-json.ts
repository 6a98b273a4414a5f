/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * ECMAScript's JSON.stringify already produces JCS output for primitives (shortest round-trip number form,
 * `-0` as `0`, the JCS string escapes); JCS adds recursive key ordering by UTF-16 code units, which is what
 * the default `Array.prototype.sort` comparison (and the `<` operator on strings) does.
 *
 * This is the hot-path version: sorted key lists are cached per key set, short strings that need no escaping
 * are quoted without a call into JSON.stringify, numbers use ToString (which JSON.stringify uses for finite
 * numbers). It is property-tested to be byte-identical to `referenceCanonicalize` (test/support/canonical-reference.ts).
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a finite number`);
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return serializeArray(value);
      return serializeObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonical JSON: cannot serialize a value of type ${typeof value}`);
  }
}

function serializeArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    out +=
      item === undefined || typeof item === 'function' || typeof item === 'symbol'
        ? 'null'
        : canonicalize(item);
  }
  return `${out}]`;
}

function serializeObject(object: Record<string, unknown>): string {
  const keys = sortedKeys(Object.keys(object));
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = object[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += quoteString(key);
    out += ':';
    out += canonicalize(item);
  }
  return `${out}}`;
}

/** A JSON string literal; throws on a lone surrogate (not valid I-JSON, RFC 7493, which JCS requires). */
export function quoteString(value: string): string {
  if (isPlain(value)) return `"${value}"`;
  if (!value.isWellFormed()) throw new TypeError('canonical JSON: string contains a lone surrogate');
  return JSON.stringify(value);
}

/** A JSON string literal as JSON.stringify writes it (lone surrogates escaped, never thrown on). */
export function quoteKey(value: string): string {
  return isPlain(value) ? `"${value}"` : JSON.stringify(value);
}

const PLAIN_SCAN_LIMIT = 128;

/** Short strings without control characters, `"`, `\` or surrogates are their own JSON body. */
function isPlain(value: string): boolean {
  const length = value.length;
  if (length > PLAIN_SCAN_LIMIT) return false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

interface KeyCacheEntry {
  keys: readonly string[];
  sorted: readonly string[];
}

const KEY_CACHE_LIMIT = 256;
const KEY_CACHE_WAYS = 4;
const keyCache = new Map<string, KeyCacheEntry[]>();
let keyCacheSize = 0;

/**
 * `keys` in UTF-16 code unit order. Objects built by the same code have the same keys in the same order, so
 * the sorted list is cached per key list (looked up by length and first key, then compared key by key).
 */
export function sortedKeys(keys: string[]): readonly string[] {
  const length = keys.length;
  if (length < 2) return keys;
  if (isSorted(keys)) return keys;
  const slot = `${length}:${keys[0]}`;
  const entries = keyCache.get(slot);
  if (entries) {
    for (const entry of entries) if (sameKeys(entry.keys, keys)) return entry.sorted;
  }
  const sorted = keys.slice().sort();
  if (length <= 64) {
    if (keyCacheSize >= KEY_CACHE_LIMIT) {
      keyCache.clear();
      keyCacheSize = 0;
    }
    const entry = { keys, sorted };
    if (!entries) keyCache.set(slot, [entry]);
    else if (entries.length < KEY_CACHE_WAYS) entries.push(entry);
    else entries[entries.length - 1] = entry;
    keyCacheSize++;
  }
  return sorted;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  return true;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
