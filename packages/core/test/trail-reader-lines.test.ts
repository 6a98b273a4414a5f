import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChainTrailReader } from '../src/trail/trail-reader.js';
import { tempDir } from './support/make-trail.js';

const record = (seq: number) => JSON.stringify({ chain: 'c1', seq, type: 'tool_call', v: 1 });

/** Reads the whole chain back, as the log shipper does (several calls: each scans at most 8 MiB). */
function readAll(reader: ChainTrailReader): number[] {
  const seqs: number[] = [];
  do seqs.push(...reader.read(1000, -1).map((item) => item.record.seq));
  while (!reader.atEnd);
  return seqs;
}

describe('ChainTrailReader and long lines', () => {
  it('skips lines past the limit (within a chunk and across chunks), counts them, and reads on', () => {
    const dir = tempDir();
    const file = join(dir, 'c1.000000.jsonl');
    const lines = [
      record(0),
      'a'.repeat(5000),
      record(1),
      'b'.repeat(300 * 1024),
      record(2),
      'x'.repeat(900),
      record(3),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const reader = new ChainTrailReader(dir, 'c1', 1024);
    expect(readAll(reader)).toEqual([0, 1, 2, 3]);
    // Two lines too long; the 900-byte line is within the limit but not a record.
    expect(reader.skipped).toBe(3);
    expect(reader.consumed).toEqual({ segment: 0, offset: statSync(file).size });
    reader.close();
  });

  it('never holds a long line: memory stays bounded by the limit', () => {
    const dir = tempDir();
    const file = join(dir, 'c1.000000.jsonl');
    writeFileSync(file, `${record(0)}\n`);
    const block = Buffer.alloc(1 << 20, 'a');
    for (let i = 0; i < 64; i++) appendFileSync(file, block);
    appendFileSync(file, `\n${record(1)}\n`);
    const reader = new ChainTrailReader(dir, 'c1', 1024);
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const seqs: number[] = [];
    do {
      seqs.push(...reader.read(1000, -1).map((item) => item.record.seq));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    } while (!reader.atEnd);
    reader.close();
    expect(seqs).toEqual([0, 1]);
    expect(reader.skipped).toBe(1);
    expect(peak - before).toBeLessThan(8 << 20);
  });
});
