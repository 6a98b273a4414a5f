import { AUTH_SCHEMES } from './secret-patterns.js';

/** A value in structured text whose key a rule names: [start, end) of the value, and the rule found. */
export interface KeyedValue<Rule> {
  start: number;
  end: number;
  rule: Rule;
  value: string;
}

/** Looks up the rule for a key; `query` is true for a URL query parameter (after `?`, `&` or `;`). */
export type RuleLookup<Rule> = (key: string, query: boolean) => Rule | null;

const MASKED = /^(?:\[REDACTED:[A-Za-z0-9_.-]+\]|hmac:[A-Za-z0-9_.-]+:[0-9a-f]{64})$/;
const USERINFO = /\/\/[^/\s:@?#]+:([^/\s@?#]+)@/g;

function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45
  );
}

/** Where an unquoted value ends: `&`, whitespace, `;`, `,`, quotes, brackets. */
function isValueEnd(c: number): boolean {
  return (
    c === 38 ||
    c <= 32 ||
    c === 59 ||
    c === 44 ||
    c === 34 ||
    c === 39 ||
    c === 60 ||
    c === 62 ||
    c === 41 ||
    c === 93 ||
    c === 125
  );
}

/** The index of the quote closing a value opened at `open` (backslash escapes and SQL's doubled quote skipped). */
function closingQuote(text: string, open: number): number {
  const quote = text.charCodeAt(open);
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === quote) {
      if (quote === 39 && text.charCodeAt(i + 1) === 39) i++;
      else return i;
    }
  }
  return text.length;
}

/**
 * Values of keyed pairs in free text whose key has a rule: `key=value` (query strings, logs, `SQL key = 'v'`),
 * `Key: value` header lines (the value runs to the end of the line), `"key": "value"` (JSON fragments), and the
 * password of a URL's user information (`//user:password@host`, rule looked up as `password`). Keys are
 * `[A-Za-z_][A-Za-z0-9_.-]*`, optionally quoted. An `Authorization=<scheme> <credential>` value includes the
 * credential. Values that already are masks or pseudonyms are left alone.
 */
export function findKeyedValues<Rule>(text: string, lookup: RuleLookup<Rule>): KeyedValue<Rule>[] {
  const found: KeyedValue<Rule>[] = [];
  const n = text.length;
  let resume = 0;
  let nextEquals = text.indexOf('=');
  let nextColon = text.indexOf(':');
  while (nextEquals >= 0 || nextColon >= 0) {
    let i: number;
    if (nextColon < 0 || (nextEquals >= 0 && nextEquals < nextColon)) {
      i = nextEquals;
      nextEquals = text.indexOf('=', i + 1);
    } else {
      i = nextColon;
      nextColon = text.indexOf(':', i + 1);
    }
    const separator = text.charCodeAt(i);
    if (i < resume) continue;
    // `https://`: a scheme, not a key.
    if (separator === 58 && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) continue;
    let k = i;
    while (k > 0 && text.charCodeAt(k - 1) === 32) k--;
    let quote = 0;
    const before = text.charCodeAt(k - 1);
    if (before === 34 || before === 39) {
      quote = before;
      k--;
    }
    let keyStart = k;
    while (keyStart > 0 && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
    while (keyStart < k && !isKeyStart(text.charCodeAt(keyStart))) keyStart++;
    if (keyStart === k) continue;
    if (quote !== 0 && text.charCodeAt(keyStart - 1) !== quote) continue;
    const previous = text.charCodeAt(keyStart - (quote ? 2 : 1));
    const query =
      separator === 61 && (keyStart === 0 || previous === 63 || previous === 38 || previous === 59);
    const rule = lookup(text.slice(keyStart, k), query);
    if (rule === null) continue;
    let v = i + 1;
    while (v < n && text.charCodeAt(v) === 32) v++;
    let start = v;
    let end: number;
    const first = text.charCodeAt(v);
    if (first === 34 || first === 39) {
      start = v + 1;
      end = closingQuote(text, v);
      resume = end + 1;
    } else if (first === 123 || first === 91) {
      continue; // an object or array: its members are judged one by one
    } else if (separator === 58 && quote === 0) {
      end = v;
      while (end < n && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
      while (end > start && text.charCodeAt(end - 1) <= 32) end--;
      resume = end;
    } else {
      end = v;
      while (end < n && !isValueEnd(text.charCodeAt(end))) end++;
      end = withCredential(text, start, end);
      resume = end;
    }
    if (end <= start) continue;
    const value = text.slice(start, end);
    if (MASKED.test(value)) continue;
    found.push({ start, end, rule, value });
  }
  if (text.includes('//')) findUserinfo(text, lookup, found);
  return found;
}

function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** `Token abc123`: a scheme followed by a credential is one value. */
function withCredential(text: string, start: number, end: number): number {
  if (text.charCodeAt(end) !== 32 || !AUTH_SCHEMES.has(text.slice(start, end).toLowerCase())) return end;
  let next = end;
  while (text.charCodeAt(next) === 32) next++;
  let stop = next;
  while (stop < text.length && !isValueEnd(text.charCodeAt(stop))) stop++;
  return stop > next ? stop : end;
}

function findUserinfo<Rule>(text: string, lookup: RuleLookup<Rule>, found: KeyedValue<Rule>[]): void {
  const rule = lookup('password', false);
  if (rule === null) return;
  USERINFO.lastIndex = 0;
  for (let match = USERINFO.exec(text); match !== null; match = USERINFO.exec(text)) {
    const value = match[1] as string;
    const end = match.index + match[0].length - 1;
    const start = end - value.length;
    if (MASKED.test(value) || found.some((other) => start < other.end && other.start < end)) continue;
    found.push({ start, end, rule, value });
  }
}
