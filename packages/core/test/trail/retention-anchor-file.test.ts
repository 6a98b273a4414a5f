import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendRetentionAnchor,
  readRetentionAnchors,
  retentionAnchorsFile,
} from '../../src/trail/retention-anchor.js';
import { tempDir } from '../support/make-trail.js';

const anchor = (chain: string, seq: number) => ({ type: 'retention', chain, anchor_seq: seq });

describe('retention anchor files', () => {
  it('live in <trail dir>/retention/<chain>.anchors.jsonl', () => {
    expect(retentionAnchorsFile('/var/trail', 'c1')).toBe(
      join('/var/trail', 'retention', 'c1.anchors.jsonl'),
    );
  });

  it("reads every chain's anchors file of every directory, skipping damaged lines and other files", () => {
    const first = tempDir();
    const second = tempDir();
    mkdirSync(join(first, 'retention'));
    writeFileSync(
      retentionAnchorsFile(first, 'b'),
      `${JSON.stringify(anchor('b', 0))}\n{"type":"retention","cha\n\n${JSON.stringify({ type: 'tool_call', chain: 'b' })}\n`,
    );
    writeFileSync(retentionAnchorsFile(first, 'a'), `${JSON.stringify(anchor('a', 0))}\n`);
    writeFileSync(join(first, 'retention', 'a.anchors.jsonl.bak'), `${JSON.stringify(anchor('a', 9))}\n`);
    mkdirSync(join(second, 'retention'));
    writeFileSync(retentionAnchorsFile(second, 'c'), `${JSON.stringify(anchor('c', 3))}\n`);
    const read = readRetentionAnchors([first, join(tempDir(), 'missing'), second, '{"seq":0}']);
    expect(read.map(({ chain, anchor_seq }) => [chain, anchor_seq])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 3],
    ]);
  });

  it('appends anchor lines in a private retention/ directory, one line each, readable back', () => {
    const dir = tempDir();
    const file = appendRetentionAnchor(dir, 'c1', JSON.stringify(anchor('c1', 0)));
    expect(appendRetentionAnchor(dir, 'c1', JSON.stringify(anchor('c1', 1)))).toBe(file);
    expect(file).toBe(retentionAnchorsFile(dir, 'c1'));
    expect(readFileSync(file, 'utf8')).toBe(
      `${JSON.stringify(anchor('c1', 0))}\n${JSON.stringify(anchor('c1', 1))}\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'retention')).mode & 0o777).toBe(0o700);
    expect(readRetentionAnchors([dir]).map((read) => read.anchor_seq)).toEqual([0, 1]);
  });

  it('never appends through a link planted at the anchors file', () => {
    const dir = tempDir();
    const target = join(tempDir(), 'elsewhere.jsonl');
    writeFileSync(target, '');
    mkdirSync(join(dir, 'retention'));
    symlinkSync(target, retentionAnchorsFile(dir, 'c1'));
    expect(() => appendRetentionAnchor(dir, 'c1', JSON.stringify(anchor('c1', 0)))).toThrow(
      expect.objectContaining({ code: 'ELOOP' }),
    );
    expect(readFileSync(target, 'utf8')).toBe('');
  });
});
