import { plainObject } from './plain-object.js';

/** Bounds applied while copying a value into a record. */
export interface SanitizeLimits {
  maxDepth: number;
  maxStringLength: number;
  maxObjectKeys: number;
  maxArrayItems: number;
  maxNodes: number;
}

/** The redaction hooks the walk calls (implemented by `Redactor`). */
export interface SanitizeHooks {
  ruleFor(key: string): unknown;
  /** The key as stored: bounded, well-formed, sensitive values inside it redacted. */
  redactKey(key: string): string;
  applyRule(rule: never, value: unknown): string | undefined;
  redactText(text: string): string;
}

export const UNSERIALIZABLE = '[unserializable]';
export const CIRCULAR = '[circular]';
export const TRUNCATED = '[truncated]';

interface WalkState {
  limits: SanitizeLimits;
  hooks: SanitizeHooks;
  /** The objects being walked around the current one (at most maxDepth): a cycle check by scan. */
  seen: object[];
  nodes: number;
}

/**
 * Copies any value into plain JSON (objects without a prototype chain, see `plainObject`, arrays, strings, finite numbers, booleans, null),
 * redacting on the way. Cycles, BigInt, Symbols, binary data, Maps, Sets, class instances, throwing getters,
 * revoked proxies, huge strings and deep nesting all give a bounded, marked result. Never throws.
 */
export function sanitizeValue(value: unknown, limits: SanitizeLimits, hooks: SanitizeHooks): unknown {
  const state: WalkState = { limits, hooks, seen: [], nodes: 0 };
  try {
    return walk(value, 0, state);
  } catch {
    return UNSERIALIZABLE;
  }
}

function walk(value: unknown, depth: number, state: WalkState): unknown {
  if (++state.nodes > state.limits.maxNodes) return TRUNCATED;
  switch (typeof value) {
    case 'string':
      return state.hooks.redactText(value);
    case 'number':
      return sanitizeNumber(value, state.hooks);
    case 'boolean':
      return value;
    case 'bigint':
      return state.hooks.redactText(value.toString());
    case 'undefined':
      return null;
    case 'symbol':
      return '[symbol]';
    case 'function':
      return '[function]';
  }
  if (value === null) return null;
  const object = value as object;
  const seen = state.seen;
  // `seen` holds the objects on the path to this one: depth < maxDepth of them, so a scan is cheap.
  for (let i = 0; i < seen.length; i++) if (seen[i] === object) return CIRCULAR;
  if (depth >= state.limits.maxDepth) return `${TRUNCATED}:depth`;
  const at = seen.length;
  seen.push(object);
  try {
    return walkObject(object, depth, state);
  } catch {
    return UNSERIALIZABLE;
  } finally {
    seen.length = at;
  }
}

function walkObject(object: object, depth: number, state: WalkState): unknown {
  if (Array.isArray(object)) return walkList(object, depth, state);
  if (ArrayBuffer.isView(object)) return `[binary:${object.byteLength} bytes]`;
  const proto = Object.getPrototypeOf(object);
  if (proto === Object.prototype || proto === null) {
    // A plain object is none of the classes below (`instanceof` looks along the prototype chain).
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(object), depth + 1, state);
    return walkKeys(object, depth, state);
  }
  if (object instanceof ArrayBuffer || object instanceof SharedArrayBuffer) {
    return `[binary:${object.byteLength} bytes]`;
  }
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof Error) return walkError(object, depth, state);
  if (object instanceof Map) return walkEntries(object.entries(), object.size, depth, state);
  if (object instanceof Set) return walkList(Array.from(object), depth, state);
  // A pattern's source is the caller's text (`/123-45-6789/`).
  if (object instanceof RegExp) return state.hooks.redactText(object.toString());
  // Fixed labels: `constructor` is an ordinary property, and may be given any name.
  if (object instanceof Promise) return '[Promise]';
  if (object instanceof WeakMap) return '[WeakMap]';
  if (object instanceof WeakSet) return '[WeakSet]';
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return walk(toJSON.call(object), depth + 1, state);
  return walkKeys(object, depth, state);
}

/** walkEntries over an object's own enumerable string keys, read one by one (no entry pairs built). */
function walkKeys(object: object, depth: number, state: WalkState): Record<string, unknown> {
  const keys = Object.keys(object);
  const out = plainObject();
  const max = state.limits.maxObjectKeys;
  const count = keys.length;
  for (let i = 0; i < count; i++) {
    if (i >= max) {
      out['[truncated]'] = `${count - max} more keys`;
      break;
    }
    const key = keys[i] as string;
    const item = readProperty(object, key);
    const safeKey = state.hooks.redactKey(key);
    const rule = state.hooks.ruleFor(safeKey);
    if (rule) {
      state.nodes++;
      const replaced = state.hooks.applyRule(rule as never, item);
      if (replaced !== undefined) out[safeKey] = replaced;
      continue;
    }
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out[safeKey] = walk(item, depth + 1, state);
  }
  return out;
}

function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return UNSERIALIZABLE;
  }
}

function walkList(items: readonly unknown[], depth: number, state: WalkState): unknown[] {
  const max = state.limits.maxArrayItems;
  const out: unknown[] = [];
  const count = Math.min(items.length, max);
  for (let i = 0; i < count; i++) out.push(walk(items[i], depth + 1, state));
  if (items.length > max) out.push(`[+${items.length - max} more items]`);
  return out;
}

function walkEntries(
  entries: Iterable<[unknown, unknown]>,
  size: number,
  depth: number,
  state: WalkState,
): Record<string, unknown> {
  const out = plainObject();
  const max = state.limits.maxObjectKeys;
  let taken = 0;
  for (const [rawKey, item] of entries) {
    if (taken >= max) {
      out['[truncated]'] = `${size - max} more keys`;
      break;
    }
    taken++;
    const key = typeof rawKey === 'string' ? rawKey : String(rawKey);
    const safeKey = state.hooks.redactKey(key);
    const rule = state.hooks.ruleFor(safeKey);
    if (rule) {
      state.nodes++;
      const replaced = state.hooks.applyRule(rule as never, item);
      if (replaced !== undefined) out[safeKey] = replaced;
      continue;
    }
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out[safeKey] = walk(item, depth + 1, state);
  }
  return out;
}

function walkError(error: Error, depth: number, state: WalkState): Record<string, unknown> {
  const out = walkEntries(
    Object.keys(error).map((key) => [key, readProperty(error, key)] as [unknown, unknown]),
    0,
    depth,
    state,
  );
  // The name is the thrower's text too (a custom error class may put a value in it), as in `describeError`.
  out.type = state.hooks.redactKey(safeString(() => error.name) ?? 'Error');
  out.message = state.hooks.redactText(safeString(() => error.message) ?? '');
  return out;
}

/** Whole numbers this large or larger may be a card number written as a number (13 digits or more). */
const CARD_SIZED = 1e12;

/**
 * A number as JSON keeps it: a non-finite one as text, and a whole number with as many digits as a card number
 * read as text by the detectors (`4539148803436467` is a card, whatever its type), a string only when masked.
 */
export function sanitizeNumber(value: number, hooks: Pick<SanitizeHooks, 'redactText'>): number | string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return 0;
  if ((value >= CARD_SIZED || value <= -CARD_SIZED) && Number.isSafeInteger(value)) {
    const text = String(value);
    const redacted = hooks.redactText(text);
    if (redacted !== text) return redacted;
  }
  return value;
}

function safeString(read: () => unknown): string | undefined {
  try {
    const value = read();
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
