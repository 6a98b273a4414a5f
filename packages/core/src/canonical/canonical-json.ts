/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * ECMAScript's JSON.stringify already produces JCS output for primitives (shortest round-trip number form,
 * `-0` as `0`, the JCS string escapes); JCS adds recursive key ordering by UTF-16 code units, which is what
 * the default `Array.prototype.sort` comparison does.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a finite number`);
      return JSON.stringify(value);
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
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = object[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += `${serializeString(key)}:${canonicalize(item)}`;
  }
  return `${out}}`;
}

function serializeString(value: string): string {
  // A lone surrogate is not valid I-JSON (RFC 7493), which JCS requires of its input.
  if (!value.isWellFormed()) {
    throw new TypeError('canonical JSON: string contains a lone surrogate');
  }
  return JSON.stringify(value);
}
