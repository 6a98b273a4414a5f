import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../src/internal.js';
import { fuzzSeed } from './fuzz/nasty-values.js';
import { VALUE_FORMS } from './pii/forms.js';
import { leaks } from './pii/leaks-helper.js';

const seed = fuzzSeed('redaction-view');
const redactor = new Redactor();
const MASK = /\[REDACTED:[A-Za-z0-9_.-]+\]/;

/** Characters that exercise the view: ASCII, separators, encodings, format characters, full-width, accents. */
const char = fc.constantFrom(
  ...'abcxyzABC019 .,;:=&?+%-_/@#\n\t'.split(''),
  '%40',
  '%20',
  '%2B',
  '%E2%80%8B',
  '\u200b',
  '\u00ad',
  '\u2060',
  '\ufeff',
  '\u00a0',
  '\uff11',
  '\uff41',
  '\uff20',
  'é',
  'ü',
  'ß',
  'ﬁ',
  '😀',
);
const noise = fc.array(char, { maxLength: 40 }).map((chars) => chars.join(''));
// Every form but the one past the length bound (its tail is cut, not masked).
const forms = Object.keys(VALUE_FORMS).filter((form) => form !== 'nearCut');

describe('Redactor detection view (property)', () => {
  it('keeps the text between masks exactly as written, each mask over one contiguous original range', () => {
    fc.assert(
      fc.property(noise, noise, fc.constantFrom(...forms), (before, after, form) => {
        const write = VALUE_FORMS[form] as (value: string) => string;
        const text = `${before} ${write('carol.canary@example.net')} ${after}`;
        const out = redactor.redactText(text);
        expect(out.isWellFormed()).toBe(true);
        const segments = out.split(MASK);
        expect(segments.length).toBeGreaterThan(1);
        let position = 0;
        segments.forEach((segment, index) => {
          // Each mask covers at least one original character; the last segment ends the text (an empty one means a
          // mask at the end). The others are found at their earliest place after the mask before them.
          const last = index === segments.length - 1;
          const at =
            index === 0
              ? text.indexOf(segment)
              : last
                ? text.length - segment.length
                : text.indexOf(segment, position + 1);
          if (last) expect(text.endsWith(segment)).toBe(true);
          if (index === 0) expect(at).toBe(0);
          else expect(at).toBeGreaterThan(position);
          position = at + segment.length;
        });
        expect(position).toBe(text.length);
        expect(leaks(out, 'carol.canary')).toBe(false);
      }),
      { numRuns: 600, seed },
    );
  });

  it('is idempotent: redacting the redacted text changes nothing', () => {
    const keyed = new Redactor({ pseudonymKey: { id: 'k1', secret: 'a-test-secret-of-32-bytes-length!' } });
    fc.assert(
      fc.property(noise, noise, (before, after) => {
        const text = `${before} name=Jane+Roe mail jane.roe@example.org ssn 123456789 ${after}`;
        const once = keyed.redactText(text);
        expect(keyed.redactText(once)).toBe(once);
      }),
      { numRuns: 300, seed },
    );
  });
});
