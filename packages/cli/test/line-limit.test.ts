import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSealedTrail } from './support/sealed-trail.js';
import { cli } from './support/source-fixtures.js';

/** core's MAX_LINE_BYTES (256 MiB). */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

function otlpLine(bodies: string[]): string {
  const logRecords = bodies.map((body) => ({ body: { stringValue: body } }));
  return JSON.stringify({
    resourceLogs: [{ scopeLogs: [{ scope: { name: 'tooltrail.audit' }, logRecords }] }],
  });
}

describe('a collector archive line longer than the line limit', () => {
  it('is one malformed line with file and line; the lines after it are still read (exit 1, not a crash)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tooltrail-long-line-'));
    const ts = new Date().toISOString();
    const lines = writeSealedTrail(join(root, 'trail'), 'c-main', [{ ts }, { ts }, { ts }, { ts }]);
    const archive = join(root, 'archive.jsonl');
    const stream = createWriteStream(archive);
    stream.write(`${otlpLine(lines.slice(0, 2))}\n`);
    const block = Buffer.alloc(1 << 20, 'a');
    for (let left = MAX_LINE_BYTES + 1; left > 0; left -= block.length) {
      const piece = left >= block.length ? block : block.subarray(0, left);
      if (!stream.write(piece)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => stream.end(`\n${otlpLine(lines.slice(2))}\n`, () => resolve()));
    try {
      const run = await cli(['verify', `archive:${archive}`, '--json']);
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout);
      expect(report.records).toBe(lines.length);
      expect(report.problems.filter((problem: { kind: string }) => problem.kind === 'malformed')).toEqual([
        {
          kind: 'malformed',
          chain: null,
          seq: null,
          file: `${archive}:2`,
          message: `line of ${MAX_LINE_BYTES + 1} bytes is longer than the ${MAX_LINE_BYTES}-byte limit: not read`,
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
