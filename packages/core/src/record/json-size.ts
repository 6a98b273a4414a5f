import { types } from 'node:util';

/** Measuring stops once the JSON would be longer than this many bytes (UTF-8). */
export const MAX_MEASURED_BYTES = 1024 * 1024;
/** ... or once it would need more than this many property and element reads (getters, proxy traps). */
export const MAX_MEASURED_VALUES = 100_000;

/** The size of a value's JSON: exact, unknown (cannot be serialised), or a lower bound (measuring stopped). */
export interface JsonSize {
  /** Bytes; null when JSON.stringify would throw (cycle, BigInt, a throwing getter or toJSON, ...). */
  size: number | null;
  /** Measuring stopped at a cap: `size` is a lower bound (at most MAX_MEASURED_BYTES). */
  capped: boolean;
}

const EXACT_ZERO: JsonSize = Object.freeze({ size: 0, capped: false });
const UNSERIALIZABLE: JsonSize = Object.freeze({ size: null, capped: false });

/** Thrown (and caught in `jsonSize`) when a cap is reached; never escapes. */
const CAPPED = Symbol('json size capped');
/** A value JSON.stringify leaves out (undefined, functions, symbols): `null` in arrays, no member in objects. */
const SKIPPED = -1;
/** Nesting depth from which the cycle check uses a set. */
const DEEP = 32;

const { isBoxedPrimitive, isNumberObject, isStringObject, isBooleanObject, isBigIntObject, isProxy } = types;
const isRawJSON = (JSON as { isRawJSON?: (value: unknown) => boolean }).isRawJSON;
const typedArrayLength = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  'length',
)?.get as (this: ArrayBufferView) => number;
const isEnumerable = Object.prototype.propertyIsEnumerable;
const bufferToJSON = Buffer.prototype.toJSON;
/** Strings whose JSON form is the string between quotes, one byte per character. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * The number of bytes `JSON.stringify(value)` would take (UTF-8), without building it, with bounded work: it
 * stops past MAX_MEASURED_BYTES of JSON or MAX_MEASURED_VALUES reads, so a huge result, a shared-subtree "JSON
 * bomb" or a hostile Proxy claiming a huge length costs at most that much. Below the caps the size is exactly
 * what the old `Buffer.byteLength(JSON.stringify(value))` gave, with the same semantics (toJSON with its key,
 * boxed primitives, skipped members, cycles and BigInt making it unserialisable). A top-level string counts as
 * its UTF-8 bytes plus two quotes, as before. Never throws.
 */
export function jsonSize(value: unknown): JsonSize {
  if (value === undefined) return EXACT_ZERO;
  if (typeof value === 'string') {
    // Not escaped: the summary has always counted a string result as its bytes plus two quotes.
    if (value.length > MAX_MEASURED_BYTES) return { size: MAX_MEASURED_BYTES, capped: true };
    const size = Buffer.byteLength(value) + 2;
    return size > MAX_MEASURED_BYTES ? { size: MAX_MEASURED_BYTES, capped: true } : { size, capped: false };
  }
  // One meter per call would be garbage on every tool call: the idle one is reused. A getter or toJSON that
  // measures a value itself while this runs finds none idle and gets its own.
  const meter = idleMeter ?? new JsonMeter();
  idleMeter = undefined;
  try {
    const size = meter.property(value, '');
    return size === SKIPPED ? EXACT_ZERO : { size: meter.bytes, capped: false };
  } catch (error) {
    if (error === CAPPED) return { size: Math.min(meter.bytes, MAX_MEASURED_BYTES), capped: true };
    // What made JSON.stringify throw (or the stack running out on very deep nesting, as it does there).
    return UNSERIALIZABLE;
  } finally {
    meter.reset();
    idleMeter = meter;
  }
}

let idleMeter: JsonMeter | undefined;

/** One measurement: bytes counted so far, reads left, and the objects being serialised (cycle detection). */
class JsonMeter {
  bytes = 0;
  reads = MAX_MEASURED_VALUES;
  private readonly _stack: object[] = [];
  /** The stack as a set, once it is deep (a linear scan per level would be quadratic). */
  private _deep: Set<object> | undefined;

  /** Ready for the next value, holding nothing of the last one (a throw may have left objects on the stack). */
  reset(): void {
    this.bytes = 0;
    this.reads = MAX_MEASURED_VALUES;
    this._stack.length = 0;
    this._deep = undefined;
  }

  /** SerializeJSONProperty (ECMA-262 25.5.2.2): adds the bytes of `value`'s JSON; SKIPPED when it has none. */
  property(input: unknown, key: string | number): number {
    let value = input;
    if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        // A Buffer's toJSON copies every byte into an array: bound it before it runs.
        if (toJSON === bufferToJSON && value instanceof Uint8Array) this._reserve(value.length, value.length);
        value = toJSON.call(value, typeof key === 'number' ? String(key) : key);
      }
    }
    if (typeof value === 'object' && value !== null && isBoxedPrimitive(value)) {
      if (isNumberObject(value)) value = +(value as number);
      else if (isStringObject(value)) value = String(value);
      else if (isBooleanObject(value)) value = Boolean.prototype.valueOf.call(value);
      else if (isBigIntObject(value)) throw new TypeError('BigInt value can not be serialized in JSON');
    }
    switch (typeof value) {
      case 'string':
        return this._add(quotedLength(value, MAX_MEASURED_BYTES - this.bytes));
      case 'number':
        return this._add(Number.isFinite(value) ? `${value}`.length : 4);
      case 'boolean':
        return this._add(value ? 4 : 5);
      case 'bigint':
        throw new TypeError('BigInt value can not be serialized in JSON');
      case 'undefined':
      case 'symbol':
      case 'function':
        return SKIPPED;
    }
    if (value === null) return this._add(4);
    if (isRawJSON?.(value)) return this._add(Buffer.byteLength((value as { rawJSON: string }).rawJSON));
    const object = value as object;
    this._enter(object);
    const start = this.bytes;
    if (Array.isArray(object)) this._array(object);
    else this._object(object);
    this._stack.pop();
    this._deep?.delete(object);
    return this.bytes - start;
  }

  /** JSON.stringify's cycle check: the object must not be one of those being serialised around it. */
  private _enter(object: object): void {
    const stack = this._stack;
    if (this._deep) {
      if (this._deep.has(object)) throw new TypeError('Converting circular structure to JSON');
      this._deep.add(object);
    } else {
      for (let i = 0; i < stack.length; i++) {
        if (stack[i] === object) throw new TypeError('Converting circular structure to JSON');
      }
      if (stack.length >= DEEP) this._deep = new Set(stack).add(object);
    }
    stack.push(object);
  }

  /** SerializeJSONArray: `[` elements (SKIPPED ones as `null`) joined by `,` `]`. */
  private _array(array: readonly unknown[]): void {
    const length = toLength((array as { length: unknown }).length);
    // Every element takes at least one byte and a comma: a claimed length past the caps stops here.
    this._reserve(length, 2 * length + 1);
    this._add(length === 0 ? 2 : length + 1);
    for (let i = 0; i < length; i++) {
      this._read();
      if (this.property(array[i], i) === SKIPPED) this._add(4);
    }
  }

  /** SerializeJSONObject: `{` `"key":value` members joined by `,` `}`, over the enumerable own string keys. */
  private _object(object: object): void {
    this._add(2);
    let members = 0;
    if (isProxy(object)) {
      // One ownKeys trap, then one descriptor and one get trap per key, each counted: a proxy claiming
      // millions of keys is read only up to the cap.
      const keys = Reflect.ownKeys(object);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (typeof key !== 'string') continue;
        this._read();
        if (!isEnumerable.call(object, key)) continue;
        members = this._member(object, key, members);
      }
      return;
    }
    if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
      // Every element is a member `"i":n`, at least 5 bytes and a comma.
      const length = typedArrayLength.call(object);
      this._reserve(length, 6 * length);
    }
    const keys = Object.keys(object);
    this._reserve(keys.length, 0);
    for (let i = 0; i < keys.length; i++) members = this._member(object, keys[i] as string, members);
  }

  private _member(object: object, key: string, members: number): number {
    this._read();
    const size = this.property((object as Record<string, unknown>)[key], key);
    if (size === SKIPPED) return members;
    // `"key":` and, after the first member, a comma.
    this._add(quotedLength(key, MAX_MEASURED_BYTES - this.bytes) + (members > 0 ? 2 : 1));
    return members + 1;
  }

  /** One property or element read (a getter or proxy trap may run). */
  private _read(): void {
    if (--this.reads < 0) throw CAPPED;
  }

  /**
   * Stops now when `count` reads are needed and fewer are left (every element or key is read); the value then
   * takes at least `minBytes` more, which the lower bound includes.
   */
  private _reserve(count: number, minBytes: number): void {
    if (count > this.reads) {
      this.bytes += minBytes;
      throw CAPPED;
    }
  }

  private _add(bytes: number): number {
    this.bytes += bytes;
    if (this.bytes > MAX_MEASURED_BYTES) throw CAPPED;
    return bytes;
  }
}

/** ToLength(ToNumber(value)), as LengthOfArrayLike: a proxy may claim any length (`+` throws like ToNumber). */
function toLength(value: unknown): number {
  const number = typeof value === 'number' ? value : +(value as number);
  if (!(number > 0)) return 0;
  return Math.min(Math.trunc(number), Number.MAX_SAFE_INTEGER);
}

/**
 * Bytes of a JSON string literal as JSON.stringify writes it, in UTF-8: short escapes for \b \t \n \f \r " \,
 * \u00XX for other control characters and lone surrogates, the rest as UTF-8. Returns more than `limit` as
 * soon as it knows the result is past it.
 */
function quotedLength(text: string, limit: number): number {
  const length = text.length;
  if (length + 2 > limit) return length + 2;
  if (PLAIN_ASCII.test(text)) return length + 2;
  let bytes = 2;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20) bytes += c === 0x22 || c === 0x5c ? 2 : 1;
      else bytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 6;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      bytes += 6;
    } else {
      bytes += 3;
    }
    if (bytes > limit) return bytes;
  }
  return bytes;
}
