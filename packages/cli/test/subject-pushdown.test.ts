import { describe, expect, it } from 'vitest';
import { subjectEither } from '../src/sources/http-json.js';
import { LokiSource } from '../src/sources/loki-source.js';
import { matchesFilter } from '../src/sources/record-source.js';
import { TempoSource } from '../src/sources/tempo-source.js';

const PSEUDONYM = `patient:hmac:k1:${'ab'.repeat(32)}`;
const BARE = `hmac:k1:${'ab'.repeat(32)}`;
/** Loki and Tempo match regular expressions fully anchored. */
const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);

describe('a subject filter with its keyed pseudonym', () => {
  it('matches records holding either form, and nothing else', () => {
    const filter = { subject: 'patient:MRN-1', subjectPseudonym: PSEUDONYM };
    expect(matchesFilter({ subject: 'patient:MRN-1' }, filter)).toBe(true);
    expect(matchesFilter({ subject: PSEUDONYM }, filter)).toBe(true);
    expect(matchesFilter({ subject: 'patient:MRN-10' }, filter)).toBe(false);
    expect(matchesFilter({ subject: `${PSEUDONYM}0` }, filter)).toBe(false);
    const bare = { subject: 'MRN-1', subjectPseudonym: BARE };
    expect(matchesFilter({ subject: PSEUDONYM }, bare)).toBe(true);
    expect(matchesFilter({ subject: 'visit:MRN-1' }, bare)).toBe(true);
    expect(matchesFilter({ subject: BARE }, bare)).toBe(true);
  });

  it('pushes one anchored pattern for both forms down to Loki and Tempo', () => {
    const pattern = subjectEither('patient:MRN-1', PSEUDONYM);
    for (const value of ['patient:MRN-1', PSEUDONYM]) expect(anchored(pattern).test(value)).toBe(true);
    for (const value of ['patient:MRN-10', `x${PSEUDONYM}`, 'patient:MRN.1']) {
      expect(anchored(pattern).test(value)).toBe(false);
    }
    expect(anchored(subjectEither('MRN-1', BARE)).test(PSEUDONYM)).toBe(true);
    const filter = { subject: 'patient:MRN-1', subjectPseudonym: PSEUDONYM };
    expect(new LokiSource('loki+http://127.0.0.1:1').logql(filter)).toContain(
      `tooltrail_subject=~${JSON.stringify(pattern)}`,
    );
    expect(new TempoSource('tempo+http://127.0.0.1:1').traceql(filter)).toContain(
      `span.tooltrail.subject =~ ${JSON.stringify(pattern)}`,
    );
  });
});
