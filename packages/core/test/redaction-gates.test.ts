import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectWith } from '../src/redaction/detect-with.js';
import { NON_ASCII, textFlags } from '../src/redaction/detection-view.js';
import { DETECTORS } from '../src/redaction/detectors.js';
import { fuzzSeed } from './fuzz/nasty-values.js';
import { CANARIES } from './pii/corpus-v1.js';
import { LOOK_ALIKES } from './pii/false-positives-v1.js';

const seed = fuzzSeed('redaction-gates');

/** The slow path: every detector's pattern runs on every text long enough for it, no gate, no prefilter. */
const UNGATED = DETECTORS.map((detector) => ({ ...detector, gate: () => true, prefilter: undefined }));

/** The reference: each ungated detector alone, in priority order, a finding kept when it overlaps no kept one. */
function reference(text: string) {
  const kept: Array<{ kind: string; start: number; end: number }> = [];
  for (const detector of UNGATED) {
    for (const item of detectWith(text, [detector])) {
      if (kept.every((other) => item.end <= other.start || other.end <= item.start)) kept.push(item);
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}

const texts = [
  ...CANARIES.map((canary) =>
    typeof canary.input === 'string' ? canary.input : JSON.stringify(canary.input),
  ),
  ...LOOK_ALIKES,
];

/** Digits, separators and words the number detectors look at, in any order. */
const numberish = fc
  .array(
    fc.constantFrom(
      ...'0123456789 -.+()/:#'.split(''),
      '123',
      '45',
      '6789',
      '-',
      'ssn',
      'SSN ',
      'social security ',
      'DE',
      'x',
    ),
    {
      maxLength: 60,
    },
  )
  .map((parts) => parts.join(''));

/** Context words in any case (and non-ASCII letters whose case mapping is special) around credentials and numbers. */
const wordish = fc
  .array(
    fc.constantFrom(
      ...' -.+=/:#_'.split(''),
      '123-45-6789',
      '123456789',
      '4111 1111 1111 1111',
      '4111111111111111',
      '4222222222222',
      '4222 2222 22222',
      '378282246310005',
      'BeArEr ',
      'BASIC ',
      'basic ',
      'Authorization: ',
      'aWs',
      'SECRET',
      'secret_key=',
      'SsN ',
      'SOCIAL security ',
      'Ss# ',
      'dGVzdDp0ZXN0MTIzNDU2',
      'AbCdEfGhIjKlMnOpQrSt1234567890/+AbCdEfGh',
      'İ',
      'ſ',
      '\u212a',
      'x',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('detector gates and merge (fast path) against each ungated detector alone (slow path)', () => {
  it('find exactly the same values in every corpus canary and look-alike', () => {
    expect(texts.length).toBeGreaterThan(1000);
    const differ = texts.filter(
      (text) => JSON.stringify(detectWith(text, DETECTORS)) !== JSON.stringify(reference(text)),
    );
    expect(differ).toEqual([]);
  });

  it('find exactly the same values in random digit-and-separator text', () => {
    fc.assert(
      fc.property(numberish, (text) => {
        expect(detectWith(text, DETECTORS)).toEqual(reference(text));
      }),
      { seed, numRuns: 3000 },
    );
  });

  it('find exactly the same values in random text of context words in any case, credentials and numbers', () => {
    fc.assert(
      fc.property(wordish, (text) => {
        expect(detectWith(text, DETECTORS)).toEqual(reference(text));
      }),
      { seed, numRuns: 3000 },
    );
  });
});

describe('textFlags', () => {
  const reference = (text: string) => (/[\u007f-\uffff]/.test(text) ? NON_ASCII : 0);

  it('says NON_ASCII exactly when a character is outside printable ASCII (DEL, accents, surrogates)', () => {
    const char = fc.constantFrom(
      ...'ab1 %?+#\n'.split(''),
      '\u007f',
      '\u0080',
      'é',
      '\u200b',
      '\uff11',
      '😀',
      '\ud800',
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 30 }), (chars) => {
        const text = chars.join('');
        expect(textFlags(text) & NON_ASCII).toBe(reference(text) & NON_ASCII);
      }),
      { seed, numRuns: 3000 },
    );
    for (const text of texts) expect(textFlags(text) & NON_ASCII).toBe(reference(text) & NON_ASCII);
  });
});
