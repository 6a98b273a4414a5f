import { createHash } from 'node:crypto';

/**
 * The reference RFC 8785 (JCS) serializer and record sealing: the straightforward definitions that the fast
 * versions in `canonical-json.ts` and `chain/record-hash.ts` must match byte for byte (property-tested).
 * Not used on the hot path.
 */
export function referenceCanonicalize(value: unknown): string {
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
        : referenceCanonicalize(item);
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
    out += `${serializeString(key)}:${referenceCanonicalize(item)}`;
  }
  return `${out}}`;
}

function serializeString(value: string): string {
  if (!value.isWellFormed()) {
    throw new TypeError('canonical JSON: string contains a lone surrogate');
  }
  return JSON.stringify(value);
}

/** The reference `sealRecord`: canonical JSON without `hash`, its SHA-256, and the line with the hash spliced in. */
export function referenceSealRecord(record: Record<string, unknown>): { hash: string; line: string } {
  const keys = Object.keys(record)
    .filter((key) => key !== 'hash' && record[key] !== undefined)
    .sort();
  const members: string[] = [];
  for (const key of keys) members.push(`${JSON.stringify(key)}:${referenceCanonicalize(record[key])}`);
  const unhashed = `{${members.join(',')}}`;
  const hash = createHash('sha256').update(unhashed).digest('hex');
  let at = keys.findIndex((key) => key > 'hash');
  if (at === -1) at = keys.length;
  members.splice(at, 0, `"hash":"${hash}"`);
  return { hash, line: `{${members.join(',')}}` };
}
