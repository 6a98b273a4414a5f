import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRetentionAnchors, retentionAnchorsFile } from '../../src/trail/retention-anchor.js';
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
});
