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

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary', maxLength: 12 }).map((text) => text.toWellFormed()),
    fc.string({ unit: 'grapheme-composite', maxLength: 6 }),
    fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u2028', 'é', '𝄞', '"seq":1', ',"hash":"'),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('seq', 'hash', 'prev', 'chain', 'type', 'v')),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

/** A sealed tool_call record (canonical line, correct hash) with arbitrary JSON in its free fields. */
const sealedLine = fc
  .record({
    chain: fc.oneof(fc.constant('20261127T000000Z-abcd1234'), fc.string({ minLength: 1, maxLength: 12 })),
    seq: fc.oneof(fc.nat({ max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
    prev: fc.oneof(fc.constant(GENESIS_HASH), hex64),
    args: json,
    result: json,
    extra: fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 }),
    intent: fc.option(fc.nat({ max: 1000 }), { nil: undefined }),
  })
  .map(({ chain, seq, prev, args, result, extra, intent }) => {
    const record: Record<string, unknown> = {
      ...extra,
      v: 1,
      type: 'tool_call',
      chain,
      seq,
      prev,
      ts: '2026-11-27T00:00:00.000Z',
      tool: 'lookup',
      args,
      result,
    };
    delete record.hash;
    if (intent !== undefined) record.intent_seq = intent;
    return Buffer.from(sealRecord(record).line);
  });

const tricky = [
  ' ',
  '\t',
  '\\',
  '"',
  '\u0000',
  '\r',
  '\\u0073',
  '\\ud800',
  ',"seq":1',
  ',"hash":"',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '1e5',
  '-0',
  '01',
  '.5',
  'tru',
  'nul',
  'é',
].map((text) => Buffer.from(text));

/** Members appended to a line: duplicates and escaped names of chain fields, and almost-JSON values. */
const members = [
  ',"se\\u0071":7',
  ',"seq":7',
  ',"\\u0076":2',
  ',"typ\\u0065":"intent"',
  ',"h\\u0061sh":"0000000000000000000000000000000000000000000000000000000000000000"',
  ',"intent_seq":3',
  ',"intent_seq":1.5',
  ',"intent_seq":"3"',
  ',"intent_seq":03',
  ',"x":01',
  ',"x":-01',
  ',"x":-',
  ',"x":1.',
  ',"x":.1',
  ',"x":1e',
  ',"x":1e+',
  ',"x":+1',
  ',"x":[1,]',
  ',"x":[,1]',
  ',"x":{"a":1,}',
  ',"x":{"a"}',
  ',"x":{1:2}',
  ',"x":tru',
  ',"x":nul',
  ',"x":True',
  ',"x":"\\x"',
  ',"x":"\\u12"',
  ',"x":"\\u12g4"',
  ',"x":"a\tb"',
  ',"x":[[[[]]]]',
  ',"x":"\\ud800"',
  ',"x":1E5',
  ',"x":-0.0e-0',
].map((text) => Buffer.from(text));

/** One hostile edit of a line's bytes. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('member' as const), text: fc.constantFrom(...members) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...tricky) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('raw' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('rename' as const),
    from: fc.constantFrom('"seq"', '"hash"', '"prev"', '"chain"', '"type"', '"v"', '"intent_seq"'),
    to: fc.constantFrom('"se\\u0071"', '"seq"', '"hash"', '"v"', '"type"', '"intent_seq"', '"Seq"'),
  }),
);

function mutate(line: Buffer, edits: Mutation[]): Buffer {
  let bytes = line;
  for (const edit of edits) {
    const at = 'at' in edit ? edit.at % (bytes.length + 1) : 0;
    switch (edit.kind) {
      case 'flip': {
        const copy = Buffer.from(bytes);
        if (copy.length > 0) copy[Math.min(at, copy.length - 1)] = edit.byte;
        bytes = copy;
        break;
      }
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), edit.text, bytes.subarray(at)]);
        break;
      case 'raw':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(edit.bytes), bytes.subarray(at)]);
        break;
      case 'cut':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
        break;
      case 'member': {
        // Before the closing brace, where a member can go (or at the end, if the line has none).
        const brace = bytes.lastIndexOf(125);
        const at2 = brace === -1 ? bytes.length : brace;
        bytes = Buffer.concat([bytes.subarray(0, at2), edit.text, bytes.subarray(at2)]);
        break;
      }
      case 'rename':
        bytes = Buffer.from(bytes.toString('latin1').replace(edit.from, edit.to), 'latin1');
        break;
    }
  }
  return bytes;
}

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; text: Buffer }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'raw'; at: number; bytes: Uint8Array }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'member'; text: Buffer };

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
          for await (const { text, line } of readTrailLines(file)) slow.addText(text, file, line);
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
