import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealRecord } from '../../src/chain/record-hash.js';
import { type VerifyReport, verifyTrail } from '../../src/index.js';
import { GENESIS_HASH } from '../../src/record/audit-record.js';
import { WasmLineScanner } from '../../src/verify/scan-line-wasm.js';
import { scanLines, scanLinesInJs } from '../../src/verify/scan-lines.js';
import { scanToolCallLine } from '../../src/verify/scan-record-line.js';
import { LINE_SLOW } from '../../src/verify/scanned-lines.js';
import { sealedLine } from '../support/fuzz-lines.js';
import { type GeneratedTrail, makeTrail } from '../support/make-trail.js';
import { canonical, parse, seal } from './attacker.js';

/**
 * Attacks on the verifier's fast path (the byte scan of a writer-made tool_call line, the hash taken over the bytes
 * minus the hash member, and linked stretches handed over in bulk). A line whose bytes differ from what the writer
 * wrote must never pass where the slow path (JSON.parse, then "the line is the canonical JSON of its record")
 * reports it. The one freedom a protected line leaves — its hashed bytes are fixed by the hash a checkpoint signs —
 * is where its hash member stands: these move it and expect `non_canonical` at that record.
 */

/** The record's members in canonical order, the hash member put at `at` (its index among the members). */
function withHashAt(line: string, at: number): string {
  const record = parse(line);
  const keys = Object.keys(record)
    .filter((key) => key !== 'hash')
    .sort();
  keys.splice(at, 0, 'hash');
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
}

/** Where canonical JSON puts the hash member: after every key that sorts before "hash". */
function hashIndex(line: string): number {
  return Object.keys(parse(line)).filter((key) => key < 'hash').length;
}

function toolCallIndexes(trail: GeneratedTrail): number[] {
  return trail.lines.flatMap((line, i) => (parse(line).type === 'tool_call' ? [i] : []));
}

/** The trail with line `index` replaced by `line`; the file starts with `head` (a line of its own) when given. */
function rewrite(trail: GeneratedTrail, index: number, line: string, head?: string): void {
  const lines = [...trail.lines];
  lines[index] = line;
  writeFileSync(trail.file, `${head === undefined ? '' : `${head}\n`}${lines.join('\n')}\n`);
}

const pinned = (trail: GeneratedTrail) => verifyTrail(trail.file, { publicKeys: [trail.publicKeyPem] });

const problemsAt = (report: VerifyReport) =>
  report.problems.map((problem) => [problem.kind, problem.seq, problem.line ?? null]);

/** The verdict the slow path gives a non-canonical line at `seq` (file line `line`), and nothing else. */
function expectNonCanonicalOnly(report: VerifyReport, seq: number, line: number): void {
  expect(report.verdict).toBe('problems');
  expect(problemsAt(report)).toContainEqual(['non_canonical', seq, line]);
  // The record itself is the genuine one: no link, seq or signature problem anywhere else.
  for (const problem of report.problems) expect(problem.seq).toBe(seq);
}

/** Every scan of the verifier leaves `line` to the slow path. */
function expectEveryScanRefuses(line: string): void {
  const bytes = Buffer.from(line);
  expect(scanToolCallLine(bytes, 0, bytes.length)).toBeUndefined();
  const wasm = WasmLineScanner.shared();
  expect(wasm).toBeDefined();
  wasm?.load(bytes, 0, bytes.length);
  expect(wasm?.scan(bytes, 0, bytes.length)).toBe(false);
  const run = Buffer.from(`${line}\n`);
  for (const scanned of [scanLines(run, 1 << 28), scanLinesInJs(run, 1 << 28)]) {
    expect(scanned.count).toBe(1);
    expect(scanned.fields[1]).toBe(LINE_SLOW);
  }
}

/** Moves line `index`'s hash member to member `at`; the verifier must report that record non-canonical, and only it. */
async function expectMovedHashCaught(trail: GeneratedTrail, index: number, at: number): Promise<void> {
  const line = trail.lines[index] as string;
  const moved = withHashAt(line, at);
  expect(moved).not.toBe(line);
  // The same record for JSON.parse: only the bytes differ from what the writer wrote.
  expect(parse(moved)).toEqual(parse(line));
  rewrite(trail, index, moved);
  expectNonCanonicalOnly(await pinned(trail), parse(moved).seq as number, index + 1);
  expectEveryScanRefuses(moved);
}

describe('fast-path attacks: bytes that hash to the signed hash but are not the written line', () => {
  it('control: the helper rebuilds every untouched tool_call line byte for byte, and the trail is intact', async () => {
    const trail = await makeTrail({ calls: 12, every: 5 });
    for (const i of toolCallIndexes(trail)) {
      const line = trail.lines[i] as string;
      expect(withHashAt(line, hashIndex(line))).toBe(line);
    }
    expect((await pinned(trail)).verdict).toBe('intact');
  });

  it('the hash member moved to the front of the first tool_call after a checkpoint', async () => {
    const trail = await makeTrail({ calls: 12, every: 5 });
    await expectMovedHashCaught(trail, toolCallIndexes(trail)[0] as number, 0);
  });

  it('the hash member moved to the end of a line inside a linked stretch (the bulk path)', async () => {
    const trail = await makeTrail({ calls: 12, every: 20 });
    // Tool calls 1…12 follow each other with no checkpoint between: the fifth is in the middle of a stretch.
    const index = toolCallIndexes(trail)[4] as number;
    await expectMovedHashCaught(trail, index, Object.keys(parse(trail.lines[index] as string)).length - 1);
  });

  it('the hash member moved one place, past its neighbour (before or after it)', async () => {
    const trail = await makeTrail({ calls: 12, every: 20 });
    const index = toolCallIndexes(trail)[6] as number;
    const at = hashIndex(trail.lines[index] as string);
    for (const shift of [-1, 1]) await expectMovedHashCaught(trail, index, at + shift);
  });

  it('the same on the calling thread’s JavaScript scan (the rest of a file after a run with no line break)', async () => {
    const trail = await makeTrail({ calls: 12, every: 20 });
    // A first line longer than a run (512 KiB): the file is then split and scanned line by line in JavaScript.
    const head = 'x'.repeat(600 * 1024);
    const index = toolCallIndexes(trail)[3] as number;
    rewrite(trail, index, trail.lines[index] as string, head);
    const control = await pinned(trail);
    expect(problemsAt(control)).toEqual([['malformed', null, 1]]);
    const moved = withHashAt(trail.lines[index] as string, 0);
    rewrite(trail, index, moved, head);
    const report = await pinned(trail);
    expect(problemsAt(report)).toContainEqual(['non_canonical', parse(moved).seq, index + 2]);
  });

  it('a record relabelled to a look-alike chain id, spliced into a stretch with the next seq and its prev', async () => {
    const trail = await makeTrail({ calls: 12, every: 20 });
    const [, before, after] = toolCallIndexes(trail) as [number, number, number];
    const genuine = parse(trail.lines[after] as string);
    const chain = genuine.chain as string;
    // Same length, one byte off: the scan must not take it as the stretch's chain (nor link it into it).
    const lookalike = `${chain.slice(0, -1)}${chain.endsWith('0') ? '1' : '0'}`;
    const spliced = seal({ ...genuine, chain: lookalike, prev: parse(trail.lines[before] as string).hash });
    const lines = [...trail.lines];
    lines.splice(after, 0, spliced);
    writeFileSync(trail.file, `${lines.join('\n')}\n`);
    const report = await pinned(trail);
    expect(report.verdict).toBe('problems');
    // Every problem is the forged chain's: the real chain, its stretch cut by the spliced line, is untouched.
    for (const problem of report.problems) expect(problem.chain).toBe(lookalike);
    expect(report.chains.find((summary) => summary.chain === chain)?.records).toBe(trail.lines.length);
  });

  it('every other place of the hash member, in sealed lines with arbitrary top-level keys (fuzzed)', () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    console.log(`hash member place fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    let moved = 0;
    let nonAscii = 0;
    // Top-level keys from all of Unicode too (canonical JSON orders them by UTF-16 code units, the scan by bytes).
    const unicodeKeyed = fc
      .dictionary(
        fc.string({ unit: 'binary', maxLength: 5 }).map((key) => key.toWellFormed()),
        fc.integer(),
        { maxKeys: 5 },
      )
      .map((extra) => {
        const base = { v: 1, type: 'tool_call', chain: 'c', seq: 1, prev: GENESIS_HASH, ts: 'x' };
        return Buffer.from(sealRecord({ ...extra, ...base }).line);
      });
    fc.assert(
      fc.property(fc.oneof(sealedLine, unicodeKeyed), (bytes) => {
        const line = bytes.toString();
        // Lines the scan leaves to the slow path anyway (escaped keys, say) are not this attack's.
        if (!scanToolCallLine(bytes, 0, bytes.length)) return;
        const place = hashIndex(line);
        expect(withHashAt(line, place)).toBe(line);
        const wasm = WasmLineScanner.shared() as WasmLineScanner;
        wasm.load(bytes, 0, bytes.length);
        expect(wasm.scan(bytes, 0, bytes.length)).toBe(true);
        if (Object.keys(parse(line)).some((key) => Buffer.byteLength(key) > key.length)) nonAscii++;
        for (let at = 0; at < Object.keys(parse(line)).length; at++) {
          if (at === place) continue;
          expectEveryScanRefuses(withHashAt(line, at));
          moved++;
        }
      }),
      { numRuns: 500, seed },
    );
    expect(moved).toBeGreaterThan(2000);
    expect(nonAscii).toBeGreaterThan(50);
  });
});
