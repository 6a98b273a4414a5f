import type { AttributeValue } from '@opentelemetry/api';
import { redactAttributeMap } from '../processor/redact-span.js';
import type { Redactor } from '../redaction/redactor.js';

/**
 * Values the runner puts on its spans from a small set (a tool's type and description, the turn, the emergency
 * flag) as the span processor would leave them after redacting them at start and again at end: worked out once
 * per key and value, so the processor need not redact them on every span (see `OwnValues`).
 */
export class RedactedConstants {
  private readonly _byKey = new Map<string, Map<AttributeValue, AttributeValue | null>>();

  constructor(private readonly _redactor: Redactor) {}

  /**
   * `value` under `key`, redacted twice as a span attribute; null when redaction drops it or renames its key
   * (the processor then redacts the value as given itself).
   */
  of(key: string, value: string | number | boolean): AttributeValue | null {
    let values = this._byKey.get(key);
    if (values === undefined) {
      values = new Map();
      this._byKey.set(key, values);
    }
    let redacted = values.get(value);
    if (redacted === undefined) {
      redacted = this._redactTwice(key, value);
      if (values.size >= CONSTANTS_PER_KEY) values.clear();
      values.set(value, redacted);
    }
    return redacted;
  }

  private _redactTwice(key: string, value: AttributeValue): AttributeValue | null {
    const one: Record<string, AttributeValue | undefined> = { [key]: value };
    redactAttributeMap(this._redactor, one);
    redactAttributeMap(this._redactor, one);
    const keys = Object.keys(one);
    const redacted = one[key];
    return keys.length === 1 && redacted !== undefined ? redacted : null;
  }
}

/** Distinct values kept per key (tool types and descriptions, turns): past this, the cache starts over. */
const CONSTANTS_PER_KEY = 256;
