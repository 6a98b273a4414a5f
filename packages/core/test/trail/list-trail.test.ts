import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainSegments, listSegments, listTrailFiles, trailChains } from '../../src/trail/list-trail.js';
import { LINK_NOT_FOLLOWED, NOT_A_FILE } from '../../src/trail/read-line-bytes.js';
import { readTrailLines } from '../../src/trail/read-trail-lines.js';
import { segmentFileName } from '../../src/trail/segment-name.js';
import { ChainTrailReader } from '../../src/trail/trail-reader.js';
import { verifyTrail } from '../../src/verify/verify-trail.js';
import { makeTrail, tempDir } from '../support/make-trail.js';

const line = (chain: string, seq: number) => `${JSON.stringify({ chain, seq, type: 'tool_call', v: 1 })}\n`;

/** A trail directory: chains `b` (segments 0, 1, 10) and `a` (0), their `.shipped`/`.lock` files, and noise. */
function trailDir(): string {
  const dir = tempDir();
  for (const [chain, segment] of [
    ['b', 10],
    ['a', 0],
    ['b', 0],
    ['b', 1],
  ] as const) {
    writeFileSync(join(dir, segmentFileName(chain, segment)), line(chain, segment));
  }
  for (const name of ['b.shipped', 'b.lock', 'b.000001.jsonl.bak', 'notes.txt', 'b.2.jsonl']) {
    writeFileSync(join(dir, name), line('b', 99));
  }
  mkdirSync(join(dir, 'retention'));
  writeFileSync(join(dir, 'retention', 'b.anchors.jsonl'), '{}\n');
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', segmentFileName('c', 0)), line('c', 0));
  return dir;
}

describe('trail listing', () => {
  it('lists segment files only, sorted, each with its chain and number', () => {
    const dir = trailDir();
    expect(listSegments(dir)).toEqual([
      { name: 'a.000000.jsonl', chain: 'a', segment: 0 },
      { name: 'b.000000.jsonl', chain: 'b', segment: 0 },
      { name: 'b.000001.jsonl', chain: 'b', segment: 1 },
      { name: 'b.000010.jsonl', chain: 'b', segment: 10 },
    ]);
    expect(trailChains(dir)).toEqual(['a', 'b']);
    expect(chainSegments(dir, 'b').map((segment) => segment.segment)).toEqual([0, 1, 10]);
  });

  it('keeps a chain whose id extends another apart from it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, segmentFileName('a', 0)), line('a', 0));
    writeFileSync(join(dir, segmentFileName('a.000001', 2)), line('a.000001', 0));
    expect(chainSegments(dir, 'a').map((segment) => segment.name)).toEqual(['a.000000.jsonl']);
    expect(chainSegments(dir, 'a.000001').map((segment) => segment.segment)).toEqual([2]);
    expect(trailChains(dir)).toEqual(['a', 'a.000001']);
  });

  it('answers nothing for a directory that cannot be read; listSegments says why', () => {
    const missing = join(tempDir(), 'missing');
    expect(trailChains(missing)).toEqual([]);
    expect(chainSegments(missing, 'a')).toEqual([]);
    expect(() => listSegments(missing)).toThrow(/ENOENT/);
  });

  it("reads a directory's `*.jsonl` files in name order, or a file as itself", () => {
    const dir = trailDir();
    writeFileSync(join(dir, 'copied.jsonl'), line('z', 0));
    expect(listTrailFiles(dir).map((file) => file.slice(dir.length + 1))).toEqual([
      'a.000000.jsonl',
      'b.000000.jsonl',
      'b.000001.jsonl',
      'b.000010.jsonl',
      'b.2.jsonl',
      'copied.jsonl',
    ]);
    const single = join(dir, 'notes.txt');
    expect(listTrailFiles(single)).toEqual([single]);
  });
});

describe('links in a trail directory', () => {
  /** A trail directory whose chain `a` has a real segment 0 and a link at segment 1's name. */
  function linkedTrail(): { dir: string; outside: string } {
    const dir = tempDir();
    const outside = tempDir();
    writeFileSync(join(dir, segmentFileName('a', 0)), line('a', 0));
    writeFileSync(join(outside, 'forged.jsonl'), line('a', 1));
    symlinkSync(join(outside, 'forged.jsonl'), join(dir, segmentFileName('a', 1)));
    mkdirSync(join(outside, 'chains'));
    writeFileSync(join(outside, 'chains', segmentFileName('c', 0)), line('c', 0));
    symlinkSync(join(outside, 'chains'), join(dir, 'linked-dir'));
    return { dir, outside };
  }

  it('lists a link by name but never reads through it, and never descends into a linked directory', async () => {
    const { dir } = linkedTrail();
    expect(trailChains(dir)).toEqual(['a']);
    const read = [];
    for await (const item of readTrailLines(dir))
      read.push({ ...item, file: item.file?.slice(dir.length + 1) });
    expect(read).toEqual([
      { text: line('a', 0).trimEnd(), file: 'a.000000.jsonl', line: 1 },
      { text: '', file: 'a.000001.jsonl', error: LINK_NOT_FOLLOWED },
    ]);
  });

  it("does not ship a link's target as the chain's records", () => {
    const { dir } = linkedTrail();
    const reader = new ChainTrailReader(dir, 'a');
    const seqs = reader.read(100, -1).map((item) => item.record.seq);
    reader.close();
    expect(seqs).toEqual([0]);
  });

  // A FIFO with a segment's name would block a reader that opened it (no writer ever comes); a directory would make
  // it fail. Neither is read: one `malformed` problem names it, and the rest of the trail is verified as before.
  it('neither blocks on a FIFO nor fails on a directory with a trail file name: each is one malformed problem', async () => {
    const trail = await makeTrail({ calls: 3, every: 2 });
    const dir = tempDir();
    cpSync(trail.dir, dir, { recursive: true });
    const chain = JSON.parse(trail.lines[0] as string).chain as string;
    execFileSync('mkfifo', [join(dir, segmentFileName(chain, 1))]);
    mkdirSync(join(dir, segmentFileName(chain, 2)));
    const read = [];
    for await (const item of readTrailLines(dir)) if (item.error) read.push(item.error);
    expect(read).toEqual([NOT_A_FILE, NOT_A_FILE]);
    const report = await verifyTrail(dir, { publicKeys: [trail.publicKeyPem], workers: 0 });
    expect(report.problems.map((problem) => [problem.kind, problem.message])).toEqual([
      ['malformed', NOT_A_FILE],
      ['malformed', NOT_A_FILE],
    ]);
    expect(report.records).toBe(trail.lines.length);
  });
});
