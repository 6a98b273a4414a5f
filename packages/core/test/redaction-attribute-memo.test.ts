import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { Redactor, type RedactorOptions } from '../src/redaction/redactor.js';
import { CANARIES } from './pii/corpus-v1.js';
import { LOOK_ALIKES, SEMCONV_ATTRIBUTES } from './pii/false-positives-v1.js';

const KEY = { id: 'k1', secret: 'memo-test-secret-0123456789' };

/** Short and long string values: every corpus canary as text, the look-alikes, the semantic-convention values. */
const VALUES: string[] = [
  ...CANARIES.map((canary) =>
    typeof canary.input === 'string' ? canary.input : JSON.stringify(canary.input),
  ),
  ...LOOK_ALIKES,
  ...Object.values(SEMCONV_ATTRIBUTES).filter((value): value is string => typeof value === 'string'),
  'function',
  'execute_tool',
  '',
  '{"patient_name":"Jane Roe"}',
];
/** Keys with no rule, with a rule, semantic-convention ones, and one that holds a value itself. */
const KEYS = [
  'app.note',
  'gen_ai.tool.type',
  'patient_name',
  'password',
  'server.address',
  'url.query',
  'user/a@b.io',
];

/** `key: value` through a Redactor's `redactAttributes`, as a string and as a one-item list. */
function redactPair(redactor: Redactor, key: string, value: string): string {
  const attributes: Attributes = { [key]: value, 'app.list': [value, 'ok'] };
  redactor.redactAttributes(attributes);
  return JSON.stringify(attributes);
}

/**
 * `redactAttributes` remembers short values once redacted. Its output must be exactly a fresh Redactor's (no
 * memo yet), for every value under every key, whatever came before: the memo holds the same values under
 * other keys, and starts over when full.
 */
describe('attribute value memo', () => {
  for (const [name, options] of [
    ['without a pseudonym key', {}],
    ['with a pseudonym key', { pseudonymKey: KEY }],
  ] as [string, RedactorOptions][]) {
    it(`gives what a fresh Redactor gives, value by value (${name})`, () => {
      const memoised = new Redactor(options);
      const differ: string[] = [];
      // Twice over: the second pass reads every short value from the memo (past its bound: some after a clear).
      for (let pass = 0; pass < 2; pass++) {
        for (const value of VALUES) {
          for (const key of KEYS) {
            const expected = redactPair(new Redactor(options), key, value);
            const got = redactPair(memoised, key, value);
            if (got !== expected) differ.push(`${key}: ${value} → ${got} (fresh: ${expected})`);
          }
        }
      }
      expect(VALUES.length).toBeGreaterThan(1024);
      expect(differ).toEqual([]);
    });
  }

  it('a remembered value redacted twice stays what it became (a pseudonym is not hashed again)', () => {
    const redactor = new Redactor({ pseudonymKey: KEY });
    const once = redactPair(redactor, 'app.note', 'mail jane.doe@example.org');
    const attributes = JSON.parse(once) as Attributes;
    redactor.redactAttributes(attributes);
    expect(JSON.stringify(attributes)).toBe(once);
  });
});
