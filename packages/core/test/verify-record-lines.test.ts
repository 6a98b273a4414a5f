import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/index.js';
import { readTrailLines } from '../src/internal.js';
import { makeTrail, tempDir } from './support/make-trail.js';

async function* lines(items: string[]): AsyncGenerator<string> {
  for (const item of items) yield item;
}

describe('verifyTrail over record lines (log bodies, archive bodies)', () => {
  it('treats a line that is not JSON as one malformed line, never as a file or directory to read', async () => {
    const trail = await makeTrail({ calls: 3, every: 2 });
    const other = await makeTrail({ calls: 2, every: 2 });
    const chain = JSON.parse(trail.lines[0]!).chain;
    const injected = [other.dir, other.file, '/etc/passwd'];
    const report = await verifyTrail(lines([...trail.lines, ...injected]), { ordered: false });
    expect(report.records).toBe(trail.lines.length);
    expect(report.chains.map((summary) => summary.chain)).toEqual([chain]);
    const malformed = report.problems.filter((problem) => problem.kind === 'malformed');
    expect(malformed.map((problem) => problem.line)).toEqual([1, 2, 3].map((n) => trail.lines.length + n));
    expect(malformed.every((problem) => problem.file === undefined && problem.chain === null)).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('treats an array of strings as record lines too', async () => {
    const trail = await makeTrail({ calls: 2, every: 2 });
    const report = await verifyTrail([trail.dir, trail.file]);
    expect(report.records).toBe(0);
    expect(report.problems.filter((problem) => problem.kind === 'malformed')).toHaveLength(2);
  });

  it('reads files and directories only when given as { paths }', async () => {
    const trail = await makeTrail({ calls: 3, every: 2 });
    const other = await makeTrail({ calls: 2, every: 2 });
    const report = await verifyTrail({ paths: [trail.dir, other.file] });
    expect(report.records).toBe(trail.lines.length + other.lines.length);
    expect(report.problems.filter((problem) => problem.kind === 'malformed')).toEqual([]);
  });
});

describe('readTrailLines', () => {
  it('yields the items of an iterable as they are, numbered, without opening any path', async () => {
    const trail = await makeTrail({ calls: 1, every: 2 });
    const read = [];
    for await (const line of readTrailLines(lines([trail.lines[0]!, trail.dir, '/etc/passwd'])))
      read.push(line);
    expect(read).toEqual([
      { text: trail.lines[0], line: 1 },
      { text: trail.dir, line: 2 },
      { text: '/etc/passwd', line: 3 },
    ]);
  });

  it('reads the files of { paths } in order, with file and line', async () => {
    const trail = await makeTrail({ calls: 2, every: 2 });
    const read = [];
    for await (const line of readTrailLines({ paths: [trail.dir] })) read.push(line);
    expect(read.map((line) => line.text)).toEqual(trail.lines);
    expect(read[0]).toMatchObject({ file: trail.file, line: 1 });
  });
});

describe('a symbolic link planted in a trail directory', () => {
  it('is not followed: one malformed problem naming it, and nothing of its target in the report', async () => {
    const trail = await makeTrail({ calls: 2, every: 2 });
    const secret = join(tempDir('tooltrail-secret-'), 'shadow');
    writeFileSync(secret, 'root:$6$SECRET-HASH:19000:0:99999:7:::\n');
    const link = join(trail.dir, 'zz-planted.jsonl');
    symlinkSync(secret, link);
    const report = await verifyTrail(trail.dir);
    expect(report.records).toBe(trail.lines.length);
    expect(report.problems.filter((problem) => problem.kind === 'malformed')).toEqual([
      {
        kind: 'malformed',
        chain: null,
        seq: null,
        message: 'a symbolic link in a trail directory: not followed, not read',
        file: link,
      },
    ]);
    expect(JSON.stringify(report)).not.toContain('root:');
    const read = [];
    for await (const line of readTrailLines(trail.dir)) read.push(line);
    expect(read.map((line) => line.text).join('')).not.toContain('root:');
    expect(read.at(-1)).toEqual({ text: '', file: link, error: report.problems.at(-1)?.message });
    // Named explicitly, a file is read even through a link: the caller chose it.
    const direct = (await verifyTrail(link)).problems.filter((problem) => problem.kind === 'malformed');
    expect(direct.map((problem) => [problem.file, problem.line])).toEqual([[link, 1]]);
  });
});
