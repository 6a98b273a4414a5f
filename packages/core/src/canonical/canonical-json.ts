/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * ECMAScript's JSON.stringify already produces JCS output for primitives (shortest round-trip number form,
 * `-0` as `0`, the JCS string escapes); JCS adds recursive key ordering by UTF-16 code units, which is what
 * the default `Array.prototype.sort` comparison (and the `<` operator on strings) does.
 *
 * This is the hot-path version: the sorted key list of an object, and the `"key":` prefix of each member, are
 * cached per key list; short strings that need no escaping are quoted without a call into JSON.stringify (as
 * object members, with their quotes in the cached key pieces);
 * numbers use ToString (which JSON.stringify uses for finite numbers). It is property-tested to be
 * byte-identical to `referenceCanonicalize` (test/support/canonical-reference.ts).
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
  const length = items.length;
  if (length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < length; i++) {
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
  const keys = Object.keys(object);
  if (keys.length === 0) return '{}';
  const list = keyList(keys);
  const sorted = list.sorted;
  if (!list.wellFormed) return serializeIllFormedKeys(object, sorted);
  // One concatenation per member for its key (`{"key":` first, `,"key":` after), one for its value. A plain
  // string is its own JSON body: its quotes go into the key pieces (`,"key":"`), its closing quote into what
  // follows (`","key":`, `"}`), so no quoted copy of it is made.
  let out = '';
  // The last member written was a plain string whose closing quote is not written yet.
  let open = false;
  for (let i = 0; i < sorted.length; i++) {
    const item = object[sorted[i] as string];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (typeof item === 'string' && isPlain(item)) {
      out +=
        out === ''
          ? (list.openQuotePrefixes[i] as string)
          : open
            ? (list.closeCommaQuotePrefixes[i] as string)
            : (list.commaQuotePrefixes[i] as string);
      out += item;
      open = true;
    } else {
      out +=
        out === ''
          ? (list.openPrefixes[i] as string)
          : open
            ? (list.closeCommaPrefixes[i] as string)
            : (list.commaPrefixes[i] as string);
      out += canonicalize(item);
      open = false;
    }
  }
  return out === '' ? '{}' : open ? `${out}"}` : `${out}}`;
}

/** An object with a key that is not well-formed: it throws (as quoteString does) only when its member is written. */
function serializeIllFormedKeys(object: Record<string, unknown>, sorted: readonly string[]): string {
  let out = '';
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i] as string;
    const item = object[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out += `${out === '' ? '{' : ','}${quoteString(key)}:`;
    out += canonicalize(item);
  }
  return out === '' ? '{}' : `${out}}`;
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
/** No control characters (< 0x20), `"`, `\` or surrogates (UTF-16 code units: no `u` flag). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\ud7ff\ue000-\uffff]*$/;

/** Short strings without control characters, `"`, `\` or surrogates are their own JSON body. */
export function isPlain(value: string): boolean {
  // One compiled regular expression run is faster than a charCodeAt loop, even for short strings.
  return value.length <= PLAIN_SCAN_LIMIT && PLAIN.test(value);
}

/** An object's key list in UTF-16 code unit order, with each member's `"key":` prefix. */
export interface SortedKeyList {
  /** The keys as `Object.keys` listed them (the cache key). */
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  /** `quoteKey(sorted[i]) + ':'`. */
  readonly prefixes: readonly string[];
  /** The same with a comma before it (a member after the first). */
  readonly commaPrefixes: readonly string[];
  /** The same with `{` before it (the first member of an object). */
  readonly openPrefixes: readonly string[];
  /** For a plain string value, the key with the value's opening quote: `"key":"`, `,"key":"`, `{"key":"`. */
  readonly quotePrefixes: readonly string[];
  readonly commaQuotePrefixes: readonly string[];
  readonly openQuotePrefixes: readonly string[];
  /** After a plain string value, its closing quote and the key: `","key":`, and `","key":"` for another one. */
  readonly closeCommaPrefixes: readonly string[];
  readonly closeCommaQuotePrefixes: readonly string[];
  /** Every key is well-formed UTF-16 (so `quoteString` would not throw on any of them). */
  readonly wellFormed: boolean;
}

const KEY_CACHE_LIMIT = 256;
const KEY_CACHE_WAYS = 4;
const KEY_CACHE_MAX_KEYS = 64;
/** By first key (a property name from Object.keys: its hash is cached, unlike a string built per lookup). */
const keyCache = new Map<string, SortedKeyList[]>();
let keyCacheSize = 0;

/**
 * The sorted key list of `keys`. Objects built by the same code have the same keys in the same order, so the
 * result is cached per key list (looked up by first key, then compared key by key).
 */
export function keyList(keys: string[]): SortedKeyList {
  const length = keys.length;
  const first = keys[0] as string;
  const entries = keyCache.get(first);
  if (entries) {
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e] as SortedKeyList;
      if (sameKeys(entry.keys, keys)) return entry;
    }
  }
  // `keys` is a fresh array from Object.keys that nobody changes afterwards: kept as is.
  const sorted = length < 2 || isSorted(keys) ? keys : keys.slice().sort();
  const prefixes: string[] = new Array(length);
  const commaPrefixes: string[] = new Array(length);
  const openPrefixes: string[] = new Array(length);
  const quotePrefixes: string[] = new Array(length);
  const commaQuotePrefixes: string[] = new Array(length);
  const openQuotePrefixes: string[] = new Array(length);
  const closeCommaPrefixes: string[] = new Array(length);
  const closeCommaQuotePrefixes: string[] = new Array(length);
  let wellFormed = true;
  for (let i = 0; i < length; i++) {
    const key = sorted[i] as string;
    if (wellFormed && !key.isWellFormed()) wellFormed = false;
    const prefix = `${quoteKey(key)}:`;
    prefixes[i] = prefix;
    commaPrefixes[i] = `,${prefix}`;
    openPrefixes[i] = `{${prefix}`;
    quotePrefixes[i] = `${prefix}"`;
    commaQuotePrefixes[i] = `,${prefix}"`;
    openQuotePrefixes[i] = `{${prefix}"`;
    closeCommaPrefixes[i] = `",${prefix}`;
    closeCommaQuotePrefixes[i] = `",${prefix}"`;
  }
  const list: SortedKeyList = {
    keys,
    sorted,
    prefixes,
    commaPrefixes,
    openPrefixes,
    quotePrefixes,
    commaQuotePrefixes,
    openQuotePrefixes,
    closeCommaPrefixes,
    closeCommaQuotePrefixes,
    wellFormed,
  };
  if (length <= KEY_CACHE_MAX_KEYS) {
    if (keyCacheSize >= KEY_CACHE_LIMIT) {
      keyCache.clear();
      keyCacheSize = 0;
    }
    const current = keyCache.get(first);
    if (!current) keyCache.set(first, [list]);
    else if (current.length < KEY_CACHE_WAYS) current.push(list);
    else current[current.length - 1] = list;
    keyCacheSize++;
  }
  return list;
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
