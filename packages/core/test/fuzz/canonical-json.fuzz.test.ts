import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CapturedMembers, sealRecord } from '../../src/chain/record-hash.js';
import { canonicalize, Redactor } from '../../src/internal.js';
import { referenceCanonicalize, referenceSealRecord } from '../support/canonical-reference.js';
import { fuzzSeed, materialize, nastyValue, PLANTED_PII, Recipe, unit } from './nasty-values.js';

const seed = fuzzSeed('canonical-json');

/** Keys that stress JCS ordering: unicode (BMP and astral), integer-like ("10" vs "9"), escapes, prototype names. */
const key = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 4 }),
  fc.constantFrom('10', '9', '0', '01', '-1', '1e3', '4294967295', '4294967294', '__proto__', 'constructor'),
  fc.constantFrom(
    'hash',
    'has',
    'hashx',
    'a',
    'z',
    'é',
    '\u20ac',
    '\ud83d\ude00',
    '\u0000',
    '"',
    '\\',
    '\u007f',
  ),
  fc.integer({ min: 0, max: 2 ** 32 }).map(String),
);

const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(
    -0,
    0,
    1e21,
    1e-7,
    -1e21,
    5e-324,
    Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER,
    0.1 + 0.2,
    1e20,
  ),
);

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 120, maxLength: 300 }),
  fc.constantFrom('', '"', '\\', '\n\t\b\f\r', '\u2028\u2029', '\u001f', '</script>'),
);

/** JSON values plus the values the serializer skips (undefined, functions, symbols in objects/arrays). */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('member'), { maxLength: 6 }),
    fc.dictionary(key, tie('member'), { maxKeys: 8 }),
    fc.dictionary(key, tie('member'), { maxKeys: 8, noNullPrototype: false }),
  ),
  member: fc.oneof(
    { weight: 8, arbitrary: tie('value') },
    { weight: 1, arbitrary: fc.constantFrom(undefined, () => 1, Symbol('s')) },
  ),
}));

/** Runs both; equal output, or both throw a TypeError. */
function same(fast: () => string, reference: () => string): void {
  let expected: string | Error;
  try {
    expected = reference();
  } catch (error) {
    expected = error as Error;
  }
  if (typeof expected === 'string') expect(fast()).toBe(expected);
  else expect(fast).toThrow(TypeError);
}

describe('fast canonical JSON = reference canonicalize (property)', () => {
  it('is byte-identical on random JSON values (unicode, integer-like keys, -0, 1e21)', () => {
    fc.assert(
      fc.property(value, (input) =>
        same(
          () => canonicalize(input),
          () => referenceCanonicalize(input),
        ),
      ),
      { numRuns: 3000, seed },
    );
  });

  it('is byte-identical when the same key sets repeat in other insertion orders (sorted-key cache)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 2, maxLength: 12 }), fc.nat(), (keys, rotation) => {
        const rotated = [...keys.slice(rotation % keys.length), ...keys.slice(0, rotation % keys.length)];
        for (const order of [keys, rotated, [...keys].reverse(), keys]) {
          const object: Record<string, unknown> = {};
          for (const [i, k] of order.entries())
            Object.defineProperty(object, k, { value: i, enumerable: true });
          same(
            () => canonicalize(object),
            () => referenceCanonicalize(object),
          );
        }
      }),
      { numRuns: 1000, seed },
    );
  });

  it('throws like the reference on lone surrogates, in values and keys', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 10 }),
        fc.constantFrom('\ud800', '\udfff', '\udc00x', 'a\ud83d'),
        fc.boolean(),
        (prefix, lone, asKey) => {
          const s = prefix + lone;
          const input = asKey ? { [s]: 1 } : [s];
          expect(() => referenceCanonicalize(input)).toThrow(TypeError);
          expect(() => canonicalize(input)).toThrow(TypeError);
        },
      ),
      { numRuns: 300, seed },
    );
  });

  it('is byte-identical to JSON.stringify for strings and numbers', () => {
    fc.assert(
      fc.property(fc.oneof(number, fc.string({ unit: 'grapheme', maxLength: 200 })), (input) => {
        expect(canonicalize(input)).toBe(JSON.stringify(input));
      }),
      { numRuns: 2000, seed },
    );
  });

  it('sealRecord = reference sealRecord (hash and line) on random records', () => {
    const record = fc.dictionary(key, value, { maxKeys: 30 });
    fc.assert(
      fc.property(record, fc.option(fc.constantFrom('x', undefined)), (fields, hash) => {
        const input: Record<string, unknown> = { ...fields, seq: 1, prev: 'p', chain: 'c', type: 't' };
        if (hash !== null) input.hash = hash;
        let expected: { hash: string; line: string } | undefined;
        try {
          expected = referenceSealRecord(input);
        } catch {
          expect(() => sealRecord(input)).toThrow(TypeError);
          return;
        }
        const actual = sealRecord(input);
        expect(actual).toEqual(expected);
        expect(referenceCanonicalize(JSON.parse(actual.line))).toBe(actual.line);
      }),
      { numRuns: 1500, seed },
    );
  });

  // The span's argument and result attributes are slices of the sealed line: where the hash member was spliced
  // in (before, after or between them, or with no member before it) must not shift them.
  it('sealRecord hands back the canonical JSON of `args` and `result`, taken from the line', () => {
    const record = fc.dictionary(key, value, { maxKeys: 12 });
    const member = fc.option(value, { nil: undefined });
    fc.assert(
      fc.property(record, member, member, fc.boolean(), (fields, args, result, withChain) => {
        const input: Record<string, unknown> = { ...fields };
        if (args !== undefined) input.args = args;
        if (result !== undefined) input.result = result;
        if (withChain) Object.assign(input, { seq: 1, prev: 'p'.repeat(64), chain: 'c', type: 'tool_call' });
        let expected: { hash: string; line: string } | undefined;
        try {
          expected = referenceSealRecord(input);
        } catch {
          expect(() => sealRecord(input, {})).toThrow(TypeError);
          return;
        }
        const captured: CapturedMembers = {};
        expect(sealRecord(input, captured)).toEqual(expected);
        const present = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
        expect(captured.args).toBe(present(input.args) ? referenceCanonicalize(input.args) : undefined);
        expect(captured.result).toBe(present(input.result) ? referenceCanonicalize(input.result) : undefined);
      }),
      { numRuns: 1500, seed },
    );
  });

  it('sealRecord hands back `args` and `result` around every position of the hash member', () => {
    // Keys before and after "hash" in every combination, including none before it (the hash member first).
    for (const extra of [[], ['a'], ['z'], ['a', 'z'], ['has', 'hashx'], ['b', 'c', 'x', 'y']]) {
      for (const args of [null, 'x', { b: [1, '\u00e9'] }]) {
        for (const result of [undefined, 0, { count: 1 }]) {
          const input: Record<string, unknown> = { args };
          if (result !== undefined) input.result = result;
          for (const k of extra) input[k] = k;
          const captured: CapturedMembers = {};
          expect(sealRecord(input, captured)).toEqual(referenceSealRecord(input));
          expect(captured.args).toBe(referenceCanonicalize(args));
          expect(captured.result).toBe(result === undefined ? undefined : referenceCanonicalize(result));
        }
      }
    }
    // Plain strings write their closing quote with what follows them: first, last, next to each other, next to
    // escaped and long (unscanned) strings, on both sides of "hash".
    const strings = ['', 'plain', 'a"b', 'x'.repeat(129), '\u00e9\u20ac', 'tab\t'];
    for (const keys of [['a'], ['a', 'b'], ['a', 'z'], ['has', 'hashx', 'z'], ['args', 'b', 'result', 'z']]) {
      for (const first of strings) {
        for (const second of [...strings, 1, null, { s: 'x' }, ['y', 'z']]) {
          const input: Record<string, unknown> = {};
          keys.forEach((k, i) => {
            input[k] = i % 2 === 0 ? first : second;
          });
          const captured: CapturedMembers = {};
          expect(sealRecord(input, captured)).toEqual(referenceSealRecord(input));
          expect(canonicalize(input)).toBe(referenceCanonicalize(input));
          expect(canonicalize({ nested: input, after: first })).toBe(
            referenceCanonicalize({ nested: input, after: first }),
          );
          if ('args' in input) expect(captured.args).toBe(referenceCanonicalize(input.args));
        }
      }
    }
    // No member at all before "hash": `args` absent, only `result` and later keys.
    const captured: CapturedMembers = {};
    const input = { result: { n: 1 }, z: 2 };
    expect(sealRecord(input, captured)).toEqual(referenceSealRecord(input));
    expect(captured).toEqual({ result: '{"n":1}' });
  });
});

describe('canonical JSON of redacted hostile values (property)', () => {
  const redactor = new Redactor();

  it('never fails on what redaction produces, matches the reference, round-trips, and holds no planted PII', () => {
    fc.assert(
      fc.property(nastyValue, (recipe) => {
        const redacted = redactor.redactValue(materialize(recipe));
        const text = canonicalize(redacted);
        expect(referenceCanonicalize(redacted)).toBe(text);
        expect(canonicalize(JSON.parse(text))).toBe(text);
        for (const pii of PLANTED_PII) expect(text).not.toContain(pii);
      }),
      {
        numRuns: 1_000,
        seed,
        examples: [
          [new Recipe('hugeString')],
          [new Recipe('hugeStringPiiInside')],
          [new Recipe('hugeObject')],
          [new Recipe('deepObject')],
          [new Recipe('deepArray')],
        ],
      },
    );
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('redacted free text and keys are well-formed (no lone surrogates) and canonicalize', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 300 }), (text) => {
        const redacted = redactor.redactText(text);
        expect(redacted.isWellFormed()).toBe(true);
        expect(canonicalize(redacted)).toBe(JSON.stringify(redacted));
        const key = redactor.redactKey(text);
        expect(key.isWellFormed()).toBe(true);
        expect(canonicalize({ [key]: 1 })).toBe(referenceCanonicalize({ [key]: 1 }));
      }),
      { numRuns: 1_000, seed },
    );
  });

  // Found by this suite: `redactText` cut a long string with `slice(0, max)`, so an astral character straddling
  // the cut left a lone high surrogate; canonical JSON then threw and the call got the `unserializable` record.
  it('keeps a surrogate pair whole when it truncates a long string', () => {
    const max = redactor.limits.maxStringLength;
    const text = `${'a'.repeat(max - 1)}\u{1F600}${'b'.repeat(300)}`;
    expect(redactor.redactText(text).isWellFormed()).toBe(true);
    expect(() => canonicalize(redactor.redactValue({ text, [text]: 1 }))).not.toThrow();
  });
});
