import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../src/internal.js';

// V8's own view of an object's property storage (test files run in their own process: pool 'forks').
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

/**
 * `Object.create(String.prototype)` (nunjucks' `SafeString`, loaded by OpenLLMetry's SDK) leaves
 * `String.prototype` in dictionary mode, and the detectors' string methods are no longer inlined: redaction ran
 * at ~60 % of its speed in the full bench after the peers were loaded. A Redactor turns it fast again.
 */
describe('String.prototype stays fast', () => {
  it('a new Redactor turns String.prototype fast after Object.create(String.prototype)', () => {
    const safeString = Object.create(String.prototype, { length: { value: 0, writable: true } });
    expect(safeString).toBeInstanceOf(String);
    expect(hasFastProperties(String.prototype)).toBe(false);
    const redactor = new Redactor();
    expect(hasFastProperties(String.prototype)).toBe(true);
    expect(redactor.redactText('mail jane.doe@example.org')).toBe('mail [REDACTED:email]');
  });

  it('and a later Object.create(String.prototype) leaves it fast', () => {
    new Redactor();
    Object.create(String.prototype);
    expect(hasFastProperties(String.prototype)).toBe(true);
  });
});
