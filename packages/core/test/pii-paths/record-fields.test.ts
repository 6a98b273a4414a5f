import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit } from '../../src/index.js';
import { pseudonymizeSubject } from '../../src/pipeline/record-subject.js';
import { Pseudonymizer } from '../../src/redaction/pseudonymizer.js';
import { type Harness, startAudit } from '../support/audit-harness.js';
import { tempDir } from '../support/make-trail.js';
import { CANARY, leaksIn } from './canaries.js';

const KEY = { id: 'k1', secret: 'a-pseudonym-secret-of-32-bytes!!' };
const PSEUDONYM = /^patient:hmac:k1:[0-9a-f]{64}$/;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.audit.shutdown();
  harness = undefined;
});

const spanText = (h: Harness) =>
  JSON.stringify(h.spans.getFinishedSpans().map((span) => [span.name, span.attributes, span.events]));

class CanaryError extends Error {
  override name = `LookupFailed<${CANARY.email}>`;
}

describe('record fields that come from the caller', () => {
  it('redacts error.name / error.type in the record, the span and its exception event', async () => {
    harness = startAudit();
    const tool = auditTool('lookup', async (_id: string) => {
      throw new CanaryError(`no chart for ${CANARY.ssn}`);
    });
    await expect(tool('P-1')).rejects.toThrow(CanaryError);
    await harness.audit.forceFlush();
    const [record] = harness.toolCalls();
    expect(record?.error).toMatchObject({ type: 'LookupFailed<[REDACTED:email]>' });
    expect(String((record?.error as { type?: string } | undefined)?.type)).toBe(
      'LookupFailed<[REDACTED:email]>',
    );
    expect(leaksIn(JSON.stringify(harness.records()))).toEqual([]);
    expect(leaksIn(spanText(harness))).toEqual([]);
  });

  it('pseudonymises a subject taken from an argument a key rule redacts (TOOLTRAIL_SUBJECT_KEYS)', async () => {
    harness = startAudit({ subjectKeys: { patient_name: 'patient' }, pseudonymKey: KEY });
    await auditTool('chart', async (_args: { patient_name: string }) => 'ok')({ patient_name: CANARY.name });
    await harness.audit.forceFlush();
    const [record] = harness.toolCalls();
    expect(record?.subject).toMatch(PSEUDONYM);
    expect(record?.subject).toBe(pseudonymizeSubject(new Pseudonymizer(KEY), `patient:${CANARY.name}`));
    expect(harness.spans.getFinishedSpans()[0]?.attributes['tooltrail.subject']).toBe(record?.subject);
    expect(leaksIn(JSON.stringify(harness.records()), [CANARY.name])).toEqual([]);
    expect(leaksIn(spanText(harness), [CANARY.name])).toEqual([]);
  });

  it('masks such a subject when no pseudonym key is configured', async () => {
    harness = startAudit({ subjectKeys: { patient_name: 'patient' } });
    await auditTool('chart', async (_args: { patient_name: string }) => 'ok')({ patient_name: CANARY.name });
    await harness.audit.forceFlush();
    expect(harness.toolCalls()[0]?.subject).toBe('patient:[REDACTED:name]');
    expect(leaksIn(spanText(harness), [CANARY.name])).toEqual([]);
  });

  it('pseudonymises a subject extractor that copies a redacted argument or a detected value', async () => {
    harness = startAudit({ pseudonymKey: KEY });
    const byName = auditTool('chart', async (_args: { patient_name: string }) => 'ok', {
      subject: (args) => `patient:${args.patient_name}`,
    });
    const byMail = auditTool('mail', async (_args: { to: string }) => 'ok', {
      subject: (args) => `patient:${args.to}`,
    });
    await byName({ patient_name: CANARY.name });
    await byMail({ to: CANARY.email });
    await harness.audit.forceFlush();
    const subjects = harness.toolCalls().map((record) => record.subject);
    expect(subjects).toHaveLength(2);
    for (const subject of subjects) expect(subject).toMatch(PSEUDONYM);
    expect(leaksIn(JSON.stringify(harness.records()), [CANARY.name, CANARY.email])).toEqual([]);
    expect(leaksIn(spanText(harness), [CANARY.name, CANARY.email])).toEqual([]);
  });

  it('keeps an identifier subject that no rule covers in clear by default', async () => {
    harness = startAudit({ subjectKeys: { patient_id: 'patient' }, pseudonymKey: KEY });
    await auditTool('chart', async (_args: { patient_id: string }) => 'ok')({ patient_id: 'P-1' });
    await harness.audit.forceFlush();
    expect(harness.toolCalls()[0]?.subject).toBe('patient:P-1');
  });

  it('with subjectPseudonyms every subject is a keyed pseudonym that the clear value finds again', async () => {
    harness = startAudit({ subjectKeys: { mrn: 'patient' }, pseudonymKey: KEY, subjectPseudonyms: true });
    const given = auditTool('chart', async (_id: string) => 'ok', { subject: (id) => `patient:${id}` });
    await given('MRN-000123');
    await auditTool('labs', async (_args: { mrn: string }) => 'ok')({ mrn: 'MRN-000123' });
    await harness.audit.forceFlush();
    const subjects = harness.toolCalls().map((record) => record.subject);
    const expected = pseudonymizeSubject(new Pseudonymizer(KEY), 'patient:MRN-000123');
    expect(expected).toMatch(PSEUDONYM);
    expect(subjects).toEqual([expected, expected]);
    const spanSubjects = harness.spans.getFinishedSpans().map((span) => span.attributes['tooltrail.subject']);
    expect(spanSubjects).toEqual([expected, expected]);
  });

  it('refuses subjectPseudonyms without a pseudonym key (every subject would be masked)', () => {
    expect(() =>
      setupToolAudit({
        trail: { dir: tempDir() },
        register: false,
        subjectPseudonyms: true,
        onError: () => {},
      } as Parameters<typeof setupToolAudit>[0]),
    ).toThrow(/subjectPseudonyms .* needs a pseudonym key/);
    expect(trace.getTracerProvider()).toBeDefined();
  });
});
