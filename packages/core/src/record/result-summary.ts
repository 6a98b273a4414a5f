import { plainObject } from '../redaction/plain-object.js';
import type { Redactor } from '../redaction/redactor.js';
import { jsonSize } from './json-size.js';

const DEFAULT_SUMMARY_KEYS = ['status', 'count'];
/** Payloads larger than this many bytes of JSON are marked `truncated`. */
export const LARGE_RESULT_BYTES = 1000;

/**
 * The result summary: success, key identifiers (`id`, `*_id`, `*Id` and configured keys), the JSON size
 * and a truncated flag for large payloads. Arrays of rows are counted, never copied. The size is measured with
 * bounded work (`jsonSize`): past 1 MiB of JSON or 100,000 values it is a lower bound, marked `size_capped`.
 * Only the first `maxObjectKeys` (redaction limit, default 200) keys are looked at; more are marked `keys_capped`.
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
    const summary = plainObject();
    summary.success = true;
    if (Array.isArray(result)) {
      summary.count = result.length;
    } else if (result !== null && typeof result === 'object' && !ArrayBuffer.isView(result)) {
      this._copyKeys(result as Record<string, unknown>, summary);
    } else if (typeof result === 'number' || typeof result === 'boolean') {
      // Free text is never copied: names and diagnoses in prose escape every detector.
      summary.value = this._redactor.redactValue(result);
    }
    const { size, capped } = jsonSize(result);
    summary.size = size;
    // Only when measuring stopped early: every other summary keeps exactly the members it always had.
    if (capped) summary.size_capped = true;
    summary.truncated = capped || size === null || size > LARGE_RESULT_BYTES;
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
    // As for arguments: at most `maxObjectKeys` keys are looked at, so a result with a million array fields
    // cannot make a record of a million counts.
    const examined = Math.min(keys.length, this._redactor.limits.maxObjectKeys);
    for (let i = 0; i < examined; i++) {
      const rawKey = keys[i] as string;
      // Keys are stored too: bounded, well-formed (else the record cannot be canonicalized), PII redacted.
      const key = this._redactor.redactKey(rawKey);
      let value: unknown;
      try {
        value = result[rawKey];
      } catch {
        continue;
      }
      if (Array.isArray(value)) {
        counts ??= plainObject() as Record<string, number>;
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
    if (keys.length > examined) summary.keys_capped = true;
  }

  private _wanted(key: string): boolean {
    return key === 'id' || key.endsWith('_id') || endsWithLowerId(key) || this._keys.has(key);
  }
}

/** `/[a-z]Id$/.test(key)`, without a regular expression run per key. */
function endsWithLowerId(key: string): boolean {
  const n = key.length;
  if (n < 3 || key.charCodeAt(n - 1) !== 0x64 || key.charCodeAt(n - 2) !== 0x49) return false;
  const c = key.charCodeAt(n - 3);
  return c >= 0x61 && c <= 0x7a;
}
