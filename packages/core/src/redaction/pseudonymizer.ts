import { createHmac } from 'node:crypto';
import { canonicalize } from '../canonical/canonical-json.js';
import type { PseudonymKey } from '../types.js';

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
const DIGIT_KINDS = new Set(['ssn', 'card', 'phone', 'iban']);
const MIN_SECRET_BYTES = 16;

/**
 * Keyed pseudonyms (HMAC-SHA256), the same for the same value and key so that records about one patient
 * link together, and unreadable without the key. Never an unkeyed hash: an SSN or a birth date is
 * enumerable in seconds.
 */
export class Pseudonymizer {
  readonly keyId: string;
  private readonly _secret: Buffer;

  constructor(key: PseudonymKey) {
    if (!KEY_ID.test(key.id)) {
      throw new Error(`tooltrail: pseudonym key id ${JSON.stringify(key.id)} must match ${KEY_ID}`);
    }
    this._secret = typeof key.secret === 'string' ? Buffer.from(key.secret, 'utf8') : Buffer.from(key.secret);
    if (this._secret.length < MIN_SECRET_BYTES) {
      throw new Error(`tooltrail: pseudonym key secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    this.keyId = key.id;
  }

  /**
   * `hmac:<keyid>:<hex>` of the value, normalised for its kind first. A value that already is a pseudonym under
   * this key is returned as it is: redaction runs more than once on some values (a span attribute at span start
   * and at span end, a span turned into a record), and HMAC(HMAC(x)) would match neither the records nor the
   * CLI's `pseudonym` command. (Such a value is a digest, not personal data; another key's pseudonym is hashed.)
   */
  pseudonymize(value: unknown, kind: string): string {
    if (typeof value === 'string' && this._isOwnPseudonym(value)) return value;
    const digest = createHmac('sha256', this._secret)
      .update(normalizeForPseudonym(value, kind))
      .digest('hex');
    return `hmac:${this.keyId}:${digest}`;
  }

  private _isOwnPseudonym(value: string): boolean {
    const prefix = this.keyId.length + 6; // "hmac:" + id + ":"
    if (value.length !== prefix + 64 || !value.startsWith('hmac:') || value.charCodeAt(prefix - 1) !== 58)
      return false;
    if (value.slice(5, prefix - 1) !== this.keyId) return false;
    for (let i = prefix; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
    }
    return true;
  }
}

/**
 * Normalisation before hashing, so `123-45-6789` and `123 45 6789`, or `Jane  Roe` and `jane roe`, give one
 * pseudonym. Documented in docs/redaction.md; the CLI's `pseudonym` command applies the same.
 */
export function normalizeForPseudonym(value: unknown, kind: string): string {
  if (typeof value !== 'string') {
    try {
      return canonicalize(value);
    } catch {
      return String(value);
    }
  }
  if (DIGIT_KINDS.has(kind)) return value.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
