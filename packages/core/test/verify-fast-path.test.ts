import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealRecord } from '../src/chain/record-hash.js';
import { verifyTrail } from '../src/index.js';
import { readTrailLines } from '../src/internal.js';
import { GENESIS_HASH } from '../src/record/audit-record.js';
import { forEachLineBytes } from '../src/trail/read-line-bytes.js';
import { hashMatches, malformedReason } from '../src/verify/record-integrity.js';
import { scannedHashMatches, scanToolCallLine } from '../src/verify/scan-record-line.js';
import { TrailVerification } from '../src/verify/trail-verification.js';
import { type Mutation, mutate, mutation, sealedLine } from './support/fuzz-lines.js';
import { makeTrail, tempDir } from './support/make-trail.js';

// The verifier reads trail files through a byte scanner instead of JSON.parse (packages/core/src/verify/
// scan-record-line.ts). Its soundness rule: it only accepts a line JSON.parse accepts, with the same chain fields
// and the same hash verdict; every other line goes the slow way. These properties hold it to that, on real
// trail lines, on sealed records with arbitrary JSON content, and on hostile mutations of both.

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const scratch = Buffer.alloc(1 << 20);

/** What the slow path reads from a parsed record (ChainVerifier uses nothing else of a tool_call). */
function chainFieldsOf(parsed: Record<string, unknown>): Record<string, unknown> {
  const { v, type, chain, seq, prev, hash, intent_seq } = parsed;
  return { v, type, chain, seq, prev, hash, ...(typeof intent_seq === 'number' ? { intent_seq } : {}) };
}

/** Asserts the soundness rule for one line; returns whether the fast path took it. */
function checkLine(line: Buffer): boolean {
  // Surrounding bytes belong to other lines: the scanner must not read them as part of this one.
  const padded = Buffer.concat([Buffer.from('"}],:1\n'), line, Buffer.from('\n"}],:1e')]);
  const start = 7;
  const end = start + line.length;
  const scanned = scanToolCallLine(padded, start, end);
  if (!scanned) return false;
  const text = padded.toString('utf8', start, end);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`fast path accepted a line JSON.parse rejects (${(error as Error).message}): ${text}`);
  }
  expect(malformedReason(parsed)).toBeUndefined();
  expect(scanned.record).toEqual(chainFieldsOf(parsed));
  // A fast-path hash verdict of "matches" must be the slow path's verdict too ("mismatch" is re-checked slowly).
  if (scannedHashMatches(padded, start, end, scanned, scratch))
    expect(hashMatches(text, parsed as never)).toBe(true);
  return true;
}

describe('verifier fast path (byte scanner)', () => {
  it('takes every untouched tool_call line of a real trail, with the slow path’s fields and verdict', async () => {
    const trail = await makeTrail({ calls: 40, every: 10 });
    let fast = 0;
    for (const line of trail.lines) {
      const taken = checkLine(Buffer.from(line));
      if (taken) fast++;
      // Checkpoints (signatures) always take the slow path; tool calls never need it.
      expect(taken).toBe(JSON.parse(line).type === 'tool_call');
    }
    expect(fast).toBe(40);
  });

  it('accepts only what JSON.parse accepts, with the same chain fields and hash verdict (fuzzed)', async () => {
    const trail = await makeTrail({ calls: 12, every: 5 });
    const realLines = trail.lines.map((line) => Buffer.from(line));
    let taken = 0;
    let runs = 0;
    console.log(`verify fast-path fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...realLines), sealedLine),
        fc.array(mutation, { maxLength: 3 }),
        (line, edits) => {
          runs++;
          if (checkLine(mutate(line, edits as Mutation[]))) taken++;
        },
      ),
      { numRuns: 4000, seed },
    );
    // Not vacuous: a good share of the cases (untouched and harmlessly edited lines) went the fast way.
    expect(taken).toBeGreaterThan(runs / 10);
  });

  it('leaves a line hashed over invalid UTF-8 to the slow path, which reports it', async () => {
    const trail = await makeTrail({ calls: 3, every: 10 });
    const record = JSON.parse(trail.lines[1]!) as Record<string, unknown>;
    // Forge: put a raw 0xff byte in a string and re-hash over the raw bytes, as a tamperer with the format would.
    const raw = Buffer.from(trail.lines[1]!.replace(`"hash":"${record.hash}",`, ''));
    raw[raw.indexOf('lookup_order')] = 0xff;
    const forgedHash = createHash('sha256').update(raw).digest('hex');
    const at = raw.indexOf('"prev"');
    const line = Buffer.concat([
      raw.subarray(0, at),
      Buffer.from(`"hash":"${forgedHash}",`),
      raw.subarray(at),
    ]);
    expect(line.includes(0xff)).toBe(true);
    expect(scanToolCallLine(line, 0, line.length)).toBeUndefined();
    const lines = trail.lines.map((text) => Buffer.from(`${text}\n`));
    lines[1] = Buffer.concat([line, Buffer.from('\n')]);
    writeFileSync(trail.file, Buffer.concat(lines));
    const report = await verifyTrail(trail.file, { publicKeys: [trail.publicKeyPem] });
    expect(report.problems.map((problem) => [problem.kind, problem.seq])).toContainEqual([
      'hash_mismatch',
      1,
    ]);
  });

  it('leaves a line with a nested "hash" member before the top-level one to the slow path', () => {
    const record = {
      v: 1,
      type: 'tool_call',
      chain: 'c',
      seq: 0,
      prev: GENESIS_HASH,
      ts: '2026-11-27T00:00:00.000Z',
      args: { hash: 'x' },
    };
    const line = Buffer.from(sealRecord(record).line);
    expect(line.indexOf('"hash":"')).toBeLessThan(line.lastIndexOf('"hash":"'));
    expect(scanToolCallLine(line, 0, line.length)).toBeUndefined();
    // Without the nested member the same record goes the fast way.
    const plain = Buffer.from(sealRecord({ ...record, args: { other: 'x' } }).line);
    expect(scanToolCallLine(plain, 0, plain.length)).toBeDefined();
  });

  it('checks the quotes and digits of `prev` and `hash` byte by byte (each quote and digit replaced)', () => {
    const line = Buffer.from(
      sealRecord({ v: 1, type: 'tool_call', chain: 'c', seq: 1, prev: GENESIS_HASH, ts: 'x', args: {} }).line,
    );
    expect(checkLine(line)).toBe(true);
    for (const key of ['"prev":"', '"hash":"']) {
      const value = line.indexOf(key) + key.length - 1; // the opening quote
      for (const at of [value, value + 1, value + 64, value + 65])
        for (const byte of ['x', '0', 'A', ',', '\\', ' ', '}', '"']) {
          const edited = Buffer.from(line);
          edited[at] = byte.charCodeAt(0);
          checkLine(edited);
        }
    }
  });

  it('sealed records with arbitrary JSON content go the fast way and hash-match', () => {
    let runs = 0;
    let taken = 0;
    fc.assert(
      fc.property(sealedLine, (line) => {
        runs++;
        const scanned = scanToolCallLine(line, 0, line.length);
        // Lines whose chain or top-level keys need escapes go the slow way by design; every other line is fast.
        if (!scanned) return;
        taken++;
        expect(scannedHashMatches(line, 0, line.length, scanned, scratch)).toBe(true);
      }),
      { numRuns: 500, seed },
    );
    expect(taken).toBeGreaterThan(runs / 2);
  });

  it('reports exactly what the line-by-line slow path reports, file and line included (fuzzed trails)', async () => {
    const trail = await makeTrail({ calls: 24, every: 6 });
    const dir = tempDir();
    const file = join(dir, 'mutated.jsonl');
    const separators = ['\n', '\r\n', '\r', '\n\n', '\n\r\n'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            line: fc.nat({ max: trail.lines.length - 1 }),
            edits: fc.array(mutation, { maxLength: 2 }),
            separator: fc.constantFrom(...separators),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.boolean(),
        async (picks, finalNewline) => {
          const parts = picks.map(({ line, edits, separator }, i) =>
            Buffer.concat([
              mutate(Buffer.from(trail.lines[line]!), edits as Mutation[]),
              Buffer.from(i < picks.length - 1 || finalNewline ? separator : ''),
            ]),
          );
          writeFileSync(file, Buffer.concat(parts));
          const options = { publicKeys: [trail.publicKeyPem] };
          const fastReport = await verifyTrail(file, options);
          // The slow path: the same lines, decoded and split by the string reader, parsed one by one.
          const slow = new TrailVerification({ ...options, anchors: [] });
          for await (const { text, line, invalidUtf8 } of readTrailLines(file))
            slow.addText(text, file, line, !invalidUtf8);
          expect(fastReport).toEqual(slow.finish());
        },
      ),
      { numRuns: 200, seed },
    );
  });

  it('numbers lines like the string reader: CRLF, lone CR, blank lines, no final newline, lines across chunks', async () => {
    const dir = tempDir();
    const file = join(dir, 'lines.jsonl');
    const long = 'x'.repeat(3 << 20); // longer than one read chunk
    writeFileSync(file, `a\r\nb\rc\n\n${long}\r\r\nd\r\ne\r`);
    const bytesLines: Array<[string, number]> = [];
    await forEachLineBytes(file, (bytes, start, end, line) => {
      bytesLines.push([bytes.toString('utf8', start, end), line]);
    });
    const textLines: Array<[string, number]> = [];
    for await (const { text, line } of readTrailLines(file)) textLines.push([text, line!]);
    expect(bytesLines).toEqual(textLines);
    expect(bytesLines.map(([text, line]) => [text.slice(0, 3), line])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['xxx', 5],
      ['d', 7],
      ['e', 8],
    ]);
  });
});
