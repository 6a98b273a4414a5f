import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveSource } from '../src/sources/archive-source.js';
import { LocalTrailSource } from '../src/sources/local-trail-source.js';
import { verifyRecordSource } from '../src/sources/verify-source.js';
import { TEST_KEY, writeSealedTrail } from './support/sealed-trail.js';

/**
 * The collector archive as a source and as a witness, when its files are rotated and compressed: a chain whose
 * records sit only in a compressed backup must be read (or the run must say what was not read), never passed over
 * — as a witness, passing it over hid the deletion of that chain from the trail.
 */

const A = '20240101T000000Z-0a0a0a0a';
const B = '20240101T000001Z-0b0b0b0b';
const calls = [0, 1, 2].map((i) => ({ ts: `2024-01-01T00:00:0${i}.000Z` }));

/** One OTLP logs export line holding `bodies` as audit log records, as the collector's file exporter writes it. */
function otlp(bodies: string[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        scopeLogs: [
          {
            scope: { name: 'tooltrail.audit' },
            logRecords: bodies.map((body) => ({ body: { stringValue: body } })),
          },
        ],
      },
    ],
  });
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'tooltrail-archive-attacks-'));
  const trail = join(root, 'trail');
  const a = writeSealedTrail(trail, A, calls);
  const b = writeSealedTrail(trail, B, calls);
  const archive = join(root, 'archive');
  mkdirSync(archive);
  // Chain B was exported first: its lines went into a rotated backup, which the operator compressed.
  writeFileSync(join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.gz'), gzipSync(`${otlp(b)}\n`));
  writeFileSync(join(archive, 'audit.jsonl'), `${otlp(a)}\n`);
  const publicKeys = [TEST_KEY.publicKeyPem];
  return { root, trail, archive, a, b, publicKeys };
}

const problemsOf = (report: Awaited<ReturnType<typeof verifyRecordSource>>) =>
  report?.problems.map((problem) => [problem.kind, problem.chain]) ?? [];

describe('attacks through a rotated, compressed collector archive', () => {
  it('as a witness: a chain deleted from the trail whose witness copy was rotated into a .gz backup', async () => {
    const { trail, archive, publicKeys } = setup();
    const witness = new ArchiveSource(archive);
    const untouched = await verifyRecordSource(new LocalTrailSource([trail]), { publicKeys, witness });
    expect(untouched?.verdict).toBe('intact');
    expect(untouched?.witness?.records).toBe(2 * (calls.length + 2));
    rmSync(join(trail, `${B}.000000.jsonl`));
    const report = await verifyRecordSource(new LocalTrailSource([trail]), { publicKeys, witness });
    expect(report?.verdict).toBe('problems');
    expect(problemsOf(report)).toContainEqual(['missing_chain', B]);
  });

  it('as a source: the records of a .gz backup are read and verified, an edited one caught', async () => {
    const { archive, a, b, publicKeys } = setup();
    const report = await verifyRecordSource(new ArchiveSource(archive), { publicKeys });
    expect(report).toMatchObject({ verdict: 'intact', records: a.length + b.length });
    const edited = b.map((line) => line.replace('"user":"dr_a"', '"user":"dr_evil"'));
    expect(edited).not.toEqual(b);
    writeFileSync(join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.gz'), gzipSync(`${otlp(edited)}\n`));
    expect(problemsOf(await verifyRecordSource(new ArchiveSource(archive), { publicKeys }))).toContainEqual([
      'hash_mismatch',
      B,
    ]);
  });

  it('as a source: a backup compressed another way is reported unread, never passed over', async () => {
    const { archive, b, publicKeys } = setup();
    rmSync(join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.gz'));
    writeFileSync(join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.zst'), gzipSync(`${otlp(b)}\n`));
    const unread: string[] = [];
    const report = await verifyRecordSource(new ArchiveSource(archive), {
      publicKeys,
      onMalformed: (where) => unread.push(where),
    });
    expect(report?.verdict).toBe('problems');
    expect(unread).toEqual([join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.zst')]);
  });
  it('as a witness: what the witness could not read fails the run (it may have held the deleted chain)', async () => {
    const { trail, archive, publicKeys } = setup();
    rmSync(join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.gz'));
    const unread = join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.zst');
    writeFileSync(unread, 'chain B, compressed another way');
    rmSync(join(trail, `${B}.000000.jsonl`));
    const report = await verifyRecordSource(new LocalTrailSource([trail]), {
      publicKeys,
      witness: new ArchiveSource(archive),
    });
    expect(report?.verdict).toBe('problems');
    expect(report?.problems).toContainEqual(expect.objectContaining({ kind: 'malformed', file: unread }));
    expect(report?.problems.find((problem) => problem.file === unread)?.message).toMatch(/^witness: /);
  });
  it('as a source: a body whose U+FFFD is stored as invalid UTF-8 (the collector writes UTF-8 only)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tooltrail-archive-attacks-'));
    const lines = writeSealedTrail(join(root, 'trail'), A, [
      { ts: '2024-01-01T00:00:00.000Z', args: { q: 'caf\uFFFD' } },
    ]);
    const archive = join(root, 'archive.jsonl');
    const bytes = Buffer.from(`${otlp(lines)}\n`);
    writeFileSync(archive, bytes);
    const publicKeys = [TEST_KEY.publicKeyPem];
    expect((await verifyRecordSource(new ArchiveSource(archive), { publicKeys }))?.verdict).toBe('intact');
    const at = bytes.indexOf(Buffer.from('\uFFFD'));
    const edited = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 3)]);
    expect(edited.toString('utf8')).toBe(bytes.toString('utf8'));
    writeFileSync(archive, edited);
    const report = await verifyRecordSource(new ArchiveSource(archive), { publicKeys });
    expect(report?.verdict).toBe('problems');
    expect(report?.problems).toContainEqual(
      expect.objectContaining({ kind: 'malformed', file: `${archive}:1` }),
    );
  });
  it('a .gz backup that is not gzip, or cut short: one malformed problem, the rest read (no crash)', async () => {
    const { archive, a, b, publicKeys } = setup();
    const backup = join(archive, 'audit-2024-01-01T00-00-00.000.jsonl.gz');
    const whole = gzipSync(`${otlp(b)}\n`);
    for (const broken of [Buffer.from('not gzip at all'), whole.subarray(0, whole.length - 12)]) {
      writeFileSync(backup, broken);
      for (const byBytes of [false, true]) {
        const unread: string[] = [];
        const onMalformed = (where: string) => unread.push(where);
        const report = byBytes
          ? await verifyRecordSource(new LocalTrailSource([setup().trail]), {
              publicKeys,
              witness: new ArchiveSource(archive),
              onMalformed,
            })
          : await verifyRecordSource(new ArchiveSource(archive), { publicKeys, onMalformed });
        expect(report?.verdict).toBe('problems');
        expect(unread).toEqual([backup]);
        if (!byBytes) expect(report?.records).toBe(a.length);
      }
    }
  });
});
