import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, demoTrail } from './support/source-fixtures.js';

const GARBAGE = '__garbage__';
const fixture = resolve(import.meta.dirname, 'fixtures/collector-archive');

/** One OTLP `ExportLogsServiceRequest` JSON line holding `bodies` as audit log records (plus one app log). */
function otlpLine(bodies: string[], service: string): string {
  const logRecords = bodies.map((body) => {
    const record = JSON.parse(body);
    return {
      timeUnixNano: String(Date.parse(record.ts) * 1e6),
      severityNumber: record.success === false ? 13 : 9,
      body: { stringValue: body },
      attributes: [{ key: 'tooltrail.chain', value: { stringValue: record.chain } }],
    };
  });
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          // Application logs that share a batch are not audit records: the reader must skip them.
          { scope: { name: 'app' }, logRecords: [{ body: { stringValue: '{"not":"an audit record"}' } }] },
          { scope: { name: 'tooltrail.audit', version: '0.1.0' }, logRecords },
        ],
      },
    ],
  });
}

/** The trail as a rotated archive: batches of 5, two batches swapped (arrival order), split over two files. */
function writeArchive(dir: string, lines: string[], edit?: (batches: string[][]) => void): void {
  const batches: string[][] = [];
  for (let i = 0; i < lines.length; i += 5) batches.push(lines.slice(i, i + 5));
  [batches[1], batches[2]] = [batches[2] as string[], batches[1] as string[]];
  edit?.(batches);
  const otlp = batches.map((batch) =>
    batch[0] === GARBAGE ? 'this line is not JSON {' : otlpLine(batch, 'medical-assistant'),
  );
  mkdirSync(dir, { recursive: true });
  const half = Math.ceil(otlp.length / 2);
  writeFileSync(join(dir, 'audit-2026-11-27T01-00-00.000.jsonl'), `${otlp.slice(0, half).join('\n')}\n`);
  writeFileSync(join(dir, 'audit.jsonl'), `${otlp.slice(half).join('\n')}\n`);
}

describe('the collector archive source', () => {
  let trail: ReturnType<typeof demoTrail>;
  let archive: string;
  let conversation: string;

  beforeAll(() => {
    trail = demoTrail('tooltrail-archive-');
    archive = join(trail.dir, '..', 'archive');
    writeArchive(archive, trail.lines);
    const billing = trail.lines.map((line) => JSON.parse(line)).find((r) => /_billing$/.test(r.conversation));
    conversation = billing.conversation;
  });

  it('verifies a rotated archive in arrival order, every record counted, with the pinned key', async () => {
    const run = await cli(['verify', `archive:${archive}`, '--public-key', trail.publicKey, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    expect(report.records).toBe(trail.lines.length);
    expect(report.problems).toEqual([]);
  });

  it('recognises an archive directory without the archive: prefix', async () => {
    const run = await cli(['verify', archive, '--public-key', trail.publicKey]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`✔ intact: ${trail.lines.length} records`);
  });

  it('prints the same timeline from the archive as from the local trail', async () => {
    const local = await cli(['timeline', conversation, trail.dir]);
    const fromArchive = await cli(['timeline', conversation, '--source', `archive:${archive}`]);
    expect(local.code).toBe(0);
    expect(fromArchive.code).toBe(0);
    expect(fromArchive.stdout).toBe(local.stdout);
    expect(fromArchive.stdout).toContain('❌');
  });

  it('reports an edited body as hash_mismatch with its chain and seq', async () => {
    const tampered = join(trail.dir, '..', 'archive-tampered');
    let target = { chain: '', seq: -1 };
    writeArchive(tampered, trail.lines, (batches) => {
      const batch = batches[batches.length - 1] as string[];
      const index = batch.findIndex((line) => line.includes('"type":"tool_call"'));
      const record = JSON.parse(batch[index] as string);
      target = { chain: record.chain, seq: record.seq };
      batch[index] = (batch[index] as string).replace(/"duration_ms":[0-9.]+/, '"duration_ms":12345');
    });
    const run = await cli(['verify', `archive:${tampered}`, '--public-key', trail.publicKey]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`hash_mismatch\\s+chain ${target.chain}\\s+seq ${target.seq}\\b`));
  });

  it('takes a batch the exporter sent twice (a retry) as duplicates, a warning: still intact', async () => {
    const retried = join(trail.dir, '..', 'archive-retried');
    writeArchive(retried, trail.lines, (batches) => batches.push([...(batches[0] as string[])]));
    const run = await cli(['verify', `archive:${retried}`, '--public-key', trail.publicKey, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, verdict: 'intact', problems: [] });
    expect(report.warnings.map((warning: { kind: string }) => warning.kind)).toEqual(['duplicate']);
    // A copy that differs is no duplicate: the same (chain, seq) with other bytes is a problem.
    const edited = join(trail.dir, '..', 'archive-retried-edited');
    writeArchive(edited, trail.lines, (batches) =>
      batches.push([(batches[0] as string[])[1]!.replace(/"duration_ms":[0-9.]+/, '"duration_ms":12345')]),
    );
    const bad = await cli(['verify', `archive:${edited}`, '--public-key', trail.publicKey, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).ok).toBe(false);
  });

  it('reports an unreadable archive line with file and line, still reads the rest, and does not say intact', async () => {
    const broken = join(trail.dir, '..', 'archive-broken');
    writeArchive(broken, trail.lines, (batches) => batches.splice(1, 0, [GARBAGE]));
    const run = await cli(['verify', `archive:${broken}`, '--public-key', trail.publicKey, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.records).toBe(trail.lines.length);
    const malformed = report.problems.filter((p: { kind: string }) => p.kind === 'malformed');
    expect(malformed).toHaveLength(1);
    expect(malformed[0].file).toMatch(/audit-2026-11-27T01-00-00\.000\.jsonl:2$/);
  });

  it('takes the source from TOOLTRAIL_SOURCE, and rejects unknown schemes and mixed sources with exit 2', async () => {
    const fromEnv = await cli(['verify', '--public-key', trail.publicKey], {
      TOOLTRAIL_SOURCE: `archive:${archive}`,
    });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain(`${trail.lines.length} records`);
    const unknown = await cli(['timeline', 'conv_x', '--source', 'ftp://example.invalid/trail']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown source "ftp://example.invalid/trail"');
    const mixed = await cli(['verify', trail.dir, '--source', `archive:${archive}`]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('must be the only source');
    const missing = await cli(['verify', '--source', 'archive:/nonexistent/archive']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory: /nonexistent/archive');
  });

  it('reads the archive file the real collector wrote (fixture), and rejects another key', async () => {
    const ok = await cli([
      'verify',
      join(fixture, 'audit.jsonl'),
      '--public-key',
      join(fixture, 'signing-key.pub.pem'),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✔ intact: \d+ records/);
    const foreign = await cli(['verify', join(fixture, 'audit.jsonl'), '--public-key', trail.publicKey]);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain('bad_signature');
  });
});
