import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/index.js';
import { makeTrail } from './support/make-trail.js';

/**
 * Trail files are read in runs of about 1 MiB of whole lines (scanned on worker threads in the built package, on
 * this thread here). Line ends, line numbers and problems must come out as if the file were read line by line:
 * across run boundaries, with \r\n and lone \r ends, empty lines, a line longer than a run, no final newline.
 */
describe('verify reads a multi-megabyte trail file in runs', () => {
  it('reports each problem once, with the line number a line-by-line read gives', async () => {
    const trail = await makeTrail({ calls: 6000, every: 500 });
    const lines = trail.lines;
    const tampered = new Set([10, lines.length - 20]);
    let text = '';
    let number = 0;
    const expected: Array<{ kind: string; line: number }> = [];
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i] as string;
      if (tampered.has(i)) {
        line = line.replace('"status":"shipped"', '"status":"shipper"');
        expect(line).not.toBe(lines[i]);
        expected.push({ kind: 'hash_mismatch', line: number + 1 });
      }
      text += line;
      number++;
      if (i === lines.length - 1) break; // no newline after the last line
      text += i < 3000 ? '\r\n' : i === 3500 ? '\r' : '\n';
      if (i === 4000) {
        text += '\n'; // an empty line: numbered, not read
        number++;
      }
      if (i === 5000) {
        // Longer than a run: the rest of the file is read on the calling thread.
        text += `${'x'.repeat(1_500_000)}\n`;
        number++;
        expected.push({ kind: 'malformed', line: number });
      }
    }
    expect(text.length).toBeGreaterThan(3 * (1 << 20) + 1_500_000);
    writeFileSync(trail.file, text);
    const report = await verifyTrail(trail.dir, { publicKeys: [trail.publicKeyPem], workers: 0 });
    expect(report.records).toBe(lines.length);
    const found = report.problems.map(({ kind, line }) => ({ kind, line: line as number }));
    expect(found.sort((a, b) => a.line - b.line)).toEqual(expected);
    expect(report.problems.every((problem) => problem.file === trail.file)).toBe(true);
  }, 60_000);
});
