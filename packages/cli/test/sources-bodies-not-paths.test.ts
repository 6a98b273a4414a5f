import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSealedTrail } from './support/sealed-trail.js';
import { cli, type FakeServer, fakeServer, sendJson } from './support/source-fixtures.js';

/**
 * An attacker who can write to the collector archive or push to Loki controls log bodies. A body is data:
 * it must never be opened as a file or read as a trail directory.
 */
describe('sources read log bodies as record lines only', () => {
  const root = mkdtempSync(join(tmpdir(), 'tooltrail-bodies-'));
  const trailDir = join(root, 'trail');
  const otherDir = join(root, 'other');
  let lines: string[];
  let bodies: string[];
  let server: FakeServer;

  beforeAll(async () => {
    const ts = new Date(Date.now() - 3_600_000).toISOString();
    lines = writeSealedTrail(trailDir, 'c-main', [{ ts }, { ts }, { ts }]);
    writeSealedTrail(otherDir, 'c-other', [{ ts }, { ts }]);
    // A directory holding another chain, one of its files, and a system file.
    bodies = [...lines, otherDir, join(otherDir, 'c-other.000000.jsonl'), '/etc/passwd'];
    const base = BigInt(Date.now() - 3_600_000) * 1_000_000n;
    server = await fakeServer((url, _request, response) => {
      if (url.pathname !== '/loki/api/v1/query_range') return sendJson(response, 404, {});
      const start = BigInt(url.searchParams.get('start') ?? '0');
      const values = bodies
        .map((body, i): [string, string] => [(base + BigInt(i)).toString(), body])
        .filter(([ns]) => BigInt(ns) >= start);
      sendJson(response, 200, {
        status: 'success',
        data: { resultType: 'streams', result: [{ stream: { service_name: 'x' }, values }] },
      });
    });
  });
  afterAll(() => server.close());

  function expectOnlyTheRecords(stdout: string): void {
    const report = JSON.parse(stdout);
    expect(report.records).toBe(lines.length);
    expect(report.chains.map((chain: { chain: string }) => chain.chain)).toEqual(['c-main']);
    const malformed = report.problems.filter((problem: { kind: string }) => problem.kind === 'malformed');
    expect(malformed).toHaveLength(3);
    // Nothing was read from the files the bodies name.
    expect(stdout).not.toContain('root:');
    expect(stdout).not.toContain('c-other');
    expect(report.ok).toBe(false);
  }

  it('collector archive: a body naming a file or directory is a malformed line, not a path to open', async () => {
    const logRecords = bodies.map((body) => ({ body: { stringValue: body } }));
    const archive = join(root, 'archive.jsonl');
    const scopeLogs = [{ scope: { name: 'tooltrail.audit' }, logRecords }];
    writeFileSync(archive, `${JSON.stringify({ resourceLogs: [{ scopeLogs }] })}\n`);
    const run = await cli(['verify', `archive:${archive}`, '--json']);
    expect(run.code).toBe(1);
    expectOnlyTheRecords(run.stdout);
  });

  it('Loki: a log line naming a file or directory is a malformed line, not a path to open', async () => {
    const run = await cli(['verify', '--source', `loki+${server.url}`, '--json']);
    expect(run.code).toBe(1);
    expectOnlyTheRecords(run.stdout);
  });

  it('collector archive: a symbolic link in the archive directory is not followed', async () => {
    const dir = join(root, 'archive-dir');
    mkdirSync(dir);
    const scopeLogs = [
      {
        scope: { name: 'tooltrail.audit' },
        logRecords: lines.map((body) => ({ body: { stringValue: body } })),
      },
    ];
    writeFileSync(join(dir, 'audit.jsonl'), `${JSON.stringify({ resourceLogs: [{ scopeLogs }] })}\n`);
    const secret = join(root, 'shadow');
    writeFileSync(secret, 'root:$6$SECRET-HASH:19000:0:99999:7:::\n');
    symlinkSync(secret, join(dir, 'audit-2026.jsonl'));
    const run = await cli(['verify', `archive:${dir}`, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('root:');
    const report = JSON.parse(run.stdout);
    expect(report.records).toBe(lines.length);
    expect(report.problems.filter((problem: { kind: string }) => problem.kind === 'malformed')).toEqual([
      {
        kind: 'malformed',
        chain: null,
        seq: null,
        file: join(dir, 'audit-2026.jsonl'),
        message: 'a symbolic link in the archive directory: not followed, not read',
      },
    ]);
  });

  it('collector archive: a FIFO or a directory with an archive file name is reported, not read', async () => {
    const archive = join(root, 'archive-fifo');
    mkdirSync(archive);
    const scopeLogs = [
      {
        scope: { name: 'tooltrail.audit' },
        logRecords: lines.map((body) => ({ body: { stringValue: body } })),
      },
    ];
    writeFileSync(join(archive, 'audit.jsonl'), `${JSON.stringify({ resourceLogs: [{ scopeLogs }] })}\n`);
    // Opened for reading, a FIFO with no writer would block the reader for ever.
    execFileSync('mkfifo', [join(archive, 'audit-2026.jsonl')]);
    mkdirSync(join(archive, 'audit-2027.jsonl'));
    const run = await cli(['verify', `archive:${archive}`, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.records).toBe(lines.length);
    const notRead = 'not a regular file (a FIFO, device or directory with an archive file name): not read';
    expect(report.problems.filter((problem: { kind: string }) => problem.kind === 'malformed')).toEqual(
      ['audit-2026.jsonl', 'audit-2027.jsonl'].map((name) => ({
        kind: 'malformed',
        chain: null,
        seq: null,
        file: join(archive, name),
        message: notRead,
      })),
    );
  });
});
