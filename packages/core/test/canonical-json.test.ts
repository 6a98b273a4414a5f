import { describe, expect, it } from 'vitest';
import { canonicalize } from '../src/canonical/canonical-json.js';

/** IEEE 754 doubles from their hex bit patterns, as RFC 8785 Appendix B lists them. */
function double(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonicalize (RFC 8785 JCS)', () => {
  it('orders keys by UTF-16 code units, as the RFC 8785 sorting example', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the order from the text: Object.keys would list the integer-like key "1" first.
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((key) =>
      canonicalize(input).indexOf(JSON.stringify(key)),
    );
    expect(order.every((position, i) => position > 0 && (i === 0 || position > (order[i - 1] ?? 0)))).toBe(
      true,
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['c2b2309ce5400000', '-20000000000000'],
  ])('serialises the double %s as %s (Appendix B)', (hex, expected) => {
    expect(canonicalize(double(hex))).toBe(expected);
  });

  it('serialises the RFC 8785 section 3.2.2 example byte for byte', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('rejects values JSON cannot represent instead of guessing', () => {
    expect(() => canonicalize(Number.NaN)).toThrow(/finite/);
    expect(() => canonicalize(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => canonicalize(10n)).toThrow(/bigint/);
    expect(() => canonicalize('\ud800 lone')).toThrow(/lone surrogate/);
  });

  it('keeps unicode as is, leaves out undefined members and nests canonically', () => {
    expect(canonicalize({ b: [1, { d: 'é', c: undefined }], a: 'ü\u2028' })).toBe(
      '{"a":"ü\u2028","b":[1,{"d":"é"}]}',
    );
  });
});
