import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/index.js';
import { type GeneratedTrail, makeTrail } from './support/make-trail.js';

// Sources delivered by time (Loki, the collector archive) are verified with `ordered: false`: each chain is put
// back in seq order first. Past `maxHeldRecords` held records, sorted runs spill to temporary files and are
// merged. The report must not depend on where that limit lies.

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
let trails: GeneratedTrail[];
let tmp: string;
const savedTmp = process.env.TMPDIR;

beforeAll(async () => {
  // Two chains (two runs of an agent), so the merge interleaves chains too.
  trails = [await makeTrail({ calls: 30, every: 7 }), await makeTrail({ calls: 25, every: 6 })];
  // The fuzzed deliveries below reach every line.
  expect(trails[0]!.lines.length + trails[1]!.lines.length).toBe(LINES);
  // Spilled runs go under the OS temp directory: a directory of this test's own, checked empty afterwards.
  tmp = mkdtempSync(join(tmpdir(), 'tooltrail-verify-unordered-'));
  process.env.TMPDIR = tmp;
});

afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

const publicKeys = () => trails.map((trail) => trail.publicKeyPem);

/** Lines of both trails: each opens with its genesis checkpoint and ends with its final one. */
const LINES = 67;

/** A hostile delivery: both chains interleaved, shuffled, with records dropped, duplicated and edited. */
const delivery = fc.record({
  order: fc.array(fc.nat(), { minLength: LINES, maxLength: LINES }),
  drop: fc.array(fc.nat({ max: LINES - 1 }), { maxLength: 3 }),
  duplicate: fc.array(fc.nat({ max: LINES - 1 }), { maxLength: 3 }),
  edit: fc.array(fc.nat({ max: LINES - 1 }), { maxLength: 2 }),
});

interface Delivery {
  order: number[];
  drop: number[];
  duplicate: number[];
  edit: number[];
}

/**
 * The delivered lines; whether a record is missing or edited (verification must fail); whether a line is
 * delivered more than once as it is (an at-least-once source's repeat: a warning, not tampering).
 */
function deliver({ order, drop, duplicate, edit }: Delivery): {
  lines: string[];
  tampered: boolean;
  repeated: boolean;
} {
  const lines = trails.flatMap((trail) => trail.lines);
  let tampered = false;
  const out: Array<{ line: string; key: number }> = [];
  lines.forEach((line, i) => {
    const times = (drop.includes(i) ? 0 : 1) + duplicate.filter((j) => j === i).length;
    if (times === 0) tampered = true;
    if (drop.includes(i)) return;
    const edited = edit.includes(i) ? line.replace('"status"', '"Status"') : line;
    if (edited !== line) tampered = true;
    out.push({ line: edited, key: order[i] ?? 0 });
  });
  for (const i of duplicate) out.push({ line: lines[i]!, key: order[i] ?? 0 });
  // A repeat, as the verifier sees it: two copies naming the same chain, seq and hash (an edited copy keeps the
  // hash it was given; its edit is reported as hash_mismatch on its own).
  const identity = (line: string) => {
    const { chain, seq, hash } = JSON.parse(line) as { chain: string; seq: number; hash: string };
    return `${chain} ${seq} ${hash}`;
  };
  const repeated = new Set(out.map(({ line }) => identity(line))).size < out.length;
  return { lines: out.sort((a, b) => a.key - b.key).map(({ line }) => line), tampered, repeated };
}

describe('verifying an unordered source', () => {
  it('verifies a shuffled delivery of two intact chains clean, whatever the memory limit', async () => {
    const shuffled = [...trails[0]!.lines, ...trails[1]!.lines].reverse();
    for (const maxHeldRecords of [1, 2, 7, 100_000]) {
      const report = await verifyTrail(shuffled, {
        ordered: false,
        publicKeys: publicKeys(),
        maxHeldRecords,
      });
      expect(report.problems, `maxHeldRecords ${maxHeldRecords}`).toEqual([]);
      expect(report.records).toBe(trails[0]!.lines.length + trails[1]!.lines.length);
      expect(report.chains.map((chain) => chain.final)).toEqual([true, true]);
    }
  });

  it('gives the same report in memory and with spilled runs (fuzzed deliveries)', async () => {
    console.log(`verify-unordered fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    await fc.assert(
      fc.asyncProperty(delivery, fc.integer({ min: 1, max: 20 }), async (plan, maxHeldRecords) => {
        const { lines, tampered, repeated } = deliver(plan);
        const inMemory = await verifyTrail(lines, { ordered: false, publicKeys: publicKeys() });
        const spilled = await verifyTrail(lines, {
          ordered: false,
          publicKeys: publicKeys(),
          maxHeldRecords,
        });
        expect(spilled).toEqual(inMemory);
        // Not vacuous: a missing or edited record is reported, an intact delivery is not; an identical repeat
        // is a warning.
        expect(inMemory.ok).toBe(!tampered);
        expect(inMemory.warnings.some((warning) => warning.kind === 'duplicate')).toBe(repeated);
      }),
      { numRuns: 60, seed },
    );
  });

  it('spills to owner-only temporary files while reading, and removes them at the end', async () => {
    const lines = [...trails[0]!.lines].reverse();
    const seen: string[][] = [];
    const report = await verifyTrail(lines, {
      ordered: false,
      publicKeys: publicKeys(),
      maxHeldRecords: 4,
      progressEvery: 10,
      onProgress: () => {
        for (const dir of readdirSync(tmp).filter((name) => name.startsWith('tooltrail-verify-'))) {
          const runs = readdirSync(join(tmp, dir));
          for (const run of runs) expect(statSync(join(tmp, dir, run)).mode & 0o777).toBe(0o600);
          seen.push(runs);
        }
      },
    });
    expect(report.ok).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)!.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(tmp).filter((name) => name.startsWith('tooltrail-verify-'))).toEqual([]);
    expect(existsSync(tmp)).toBe(true);
  });

  it('refuses a memory limit that is not a positive integer', async () => {
    await expect(verifyTrail([], { ordered: false, maxHeldRecords: 0 })).rejects.toThrow(/maxHeldRecords/);
  });
});
