import { createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/index.js';
import { readTrailLines } from '../src/internal.js';
import { LineSplitter, MAX_LINE_BYTES } from '../src/trail/line-splitter.js';
import { forEachLineBytes } from '../src/trail/read-line-bytes.js';
import { makeTrail, tempDir } from './support/make-trail.js';

type Seen = Array<[number, string] | [number, 'too long', number]>;

/** Splits `data` fed in chunks of `sizes` (cycled) with the given limit. */
function split(data: Buffer, limit: number, sizes: number[]): Seen {
  const seen: Seen = [];
  const splitter = new LineSplitter(
    (bytes, start, end, line) => seen.push([line, bytes.toString('latin1', start, end)]),
    (line, bytes) => seen.push([line, 'too long', bytes]),
    limit,
  );
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    splitter.push(data.subarray(at, at + size));
    at += size;
  }
  splitter.end();
  return seen;
}

/** The reference: readline's line ends (\r\n, \r, \n), numbered from 1, empty lines counted not delivered. */
function reference(text: string, limit: number): Seen {
  const parts = text.split(/\r\n|\r|\n/);
  if (parts[parts.length - 1] === '') parts.pop();
  const seen: Seen = [];
  parts.forEach((part, index) => {
    if (part.length > limit) seen.push([index + 1, 'too long', part.length]);
    else if (part.length > 0) seen.push([index + 1, part]);
  });
  return seen;
}

async function writeRepeated(file: string, prefix: string, byte: string, count: number, suffix: string) {
  const stream = createWriteStream(file);
  const block = Buffer.alloc(1 << 20, byte);
  stream.write(prefix);
  for (let left = count; left > 0; left -= block.length) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    if (!stream.write(piece)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => stream.end(suffix, () => resolve()).on('error', reject));
}

describe('bounded lines', () => {
  it('splits like readline and reports lines past the limit with their number and length (fuzzed chunking)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'b', '\r', '\n', '\r\n', 'x'.repeat(20)];
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let i = random(40); i > 0; i--) text += alphabet[random(alphabet.length)];
      const limit = 1 + random(30);
      const sizes = [1 + random(7), 1 + random(50), 1 + random(3)];
      const data = Buffer.from(text, 'latin1');
      expect(split(data, limit, sizes), JSON.stringify({ text, limit, sizes })).toEqual(
        reference(text, limit),
      );
    }
  });

  it('never holds more than the limit of one line: a long line is counted while it is skipped', async () => {
    const file = join(tempDir(), 'long.jsonl');
    // 64 MiB in one line, a limit of 1 KiB: the splitter must not buffer it.
    await writeRepeated(file, '{"first":1}\n', 'a', 64 << 20, '\n{"last":2}\n');
    const seen: Seen = [];
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    await forEachLineBytes(
      file,
      (bytes, start, end, line) => {
        seen.push([line, bytes.toString('utf8', start, end)]);
      },
      {
        maxLineBytes: 1024,
        onTooLong: (line, bytes) => {
          peak = Math.max(peak, process.memoryUsage().arrayBuffers);
          seen.push([line, 'too long', bytes]);
        },
      },
    );
    expect(seen).toEqual([
      [1, '{"first":1}'],
      [2, 'too long', 64 << 20],
      [3, '{"last":2}'],
    ]);
    expect(peak - before).toBeLessThan(8 << 20);
  });

  it(`reports a line just over MAX_LINE_BYTES (${MAX_LINE_BYTES} bytes) as one malformed line, and reads on`, async () => {
    const trail = await makeTrail({ calls: 3, every: 2 });
    const lines = trail.lines;
    // The trail's first half, a line one byte over the limit, then the rest: the rest is still read and checked.
    const head = `${lines.slice(0, 2).join('\n')}\n`;
    const tail = `\n${lines.slice(2).join('\n')}\n`;
    writeFileSync(trail.file, '');
    await writeRepeated(trail.file, head, 'a', MAX_LINE_BYTES + 1, tail);
    try {
      const started = performance.now();
      const report = await verifyTrail(trail.dir, { publicKeys: [trail.publicKeyPem] });
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(report.records).toBe(lines.length);
      const malformed = report.problems.filter((problem) => problem.kind === 'malformed');
      expect(malformed).toEqual([
        {
          kind: 'malformed',
          chain: null,
          seq: null,
          message: `line of ${MAX_LINE_BYTES + 1} bytes is longer than the ${MAX_LINE_BYTES}-byte limit: not read`,
          file: trail.file,
          line: 3,
        },
      ]);
      const read = [];
      for await (const line of readTrailLines(trail.dir))
        read.push(line.error ? [line.line, line.error] : line.line);
      expect(read).toEqual([1, 2, [3, malformed[0]!.message], ...lines.slice(2).map((_, i) => 4 + i)]);
    } finally {
      rmSync(trail.file);
    }
  }, 60_000);
});
