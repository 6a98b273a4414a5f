import type { Redactor } from '../redaction/redactor.js';

const DEFAULT_SUMMARY_KEYS = ['status', 'count'];
/** Payloads larger than this many bytes of JSON are marked `truncated`, as the seed does. */
export const LARGE_RESULT_BYTES = 1000;

/**
 * The seed's result summary: success, key identifiers (`id`, `*_id`, `*Id` and configured keys), the JSON size
 * and a truncated flag for large payloads. Arrays of rows are counted, never copied.
 */
export class ResultSummarizer {
  private readonly _keys: Set<string>;

  constructor(
    private readonly _redactor: Redactor,
    extraKeys: readonly string[] = [],
  ) {
    this._keys = new Set([...DEFAULT_SUMMARY_KEYS, ...extraKeys]);
  }

  summarize(result: unknown): Record<string, unknown> {
    const summary: Record<string, unknown> = Object.create(null);
    summary.success = true;
    if (Array.isArray(result)) {
      summary.count = result.length;
    } else if (result !== null && typeof result === 'object' && !ArrayBuffer.isView(result)) {
      this._copyKeys(result as Record<string, unknown>, summary);
    } else if (typeof result === 'number' || typeof result === 'boolean') {
      // Free text is never copied: names and diagnoses in prose escape every detector.
      summary.value = this._redactor.redactValue(result);
    }
    const size = jsonSize(result);
    summary.size = size;
    summary.truncated = size === null || size > LARGE_RESULT_BYTES;
    return summary;
  }

  private _copyKeys(result: Record<string, unknown>, summary: Record<string, unknown>): void {
    let keys: string[];
    try {
      keys = Object.keys(result);
    } catch {
      return;
    }
    let counts: Record<string, number> | undefined;
    for (const rawKey of keys) {
      // Keys are stored too: bounded, well-formed (else the record cannot be canonicalized), PII redacted.
      const key = this._redactor.redactKey(rawKey);
      let value: unknown;
      try {
        value = result[rawKey];
      } catch {
        continue;
      }
      if (Array.isArray(value)) {
        counts ??= Object.create(null) as Record<string, number>;
        counts[key] = value.length;
        continue;
      }
      if (!this._wanted(key) || (value !== null && typeof value === 'object')) continue;
      const rule = this._redactor.ruleFor(key);
      if (rule) {
        const replaced = this._redactor.applyRule(rule, value);
        if (replaced !== undefined) summary[key] = replaced;
      } else {
        summary[key] = this._redactor.redactValue(value);
      }
    }
    if (counts) summary.counts = counts;
  }

  private _wanted(key: string): boolean {
    return key === 'id' || key.endsWith('_id') || /[a-z]Id$/.test(key) || this._keys.has(key);
  }
}

/** Bytes of JSON the value would take, or null when it cannot be serialised (cycles, BigInt, ...). */
function jsonSize(value: unknown): number | null {
  if (value === undefined) return 0;
  if (typeof value === 'string') return Buffer.byteLength(value) + 2;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : Buffer.byteLength(json);
  } catch {
    return null;
  }
}
