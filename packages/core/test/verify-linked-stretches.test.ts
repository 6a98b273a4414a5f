import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { sealRecord } from '../src/chain/record-hash.js';
import { verifyTrail } from '../src/index.js';
import { readTrailLines } from '../src/internal.js';
import { GENESIS_HASH } from '../src/record/audit-record.js';
import { ChainVerifier, type LinkedRecords } from '../src/verify/chain-verifier.js';
import { readWitness } from '../src/verify/read-witness.js';
import { TrailVerification } from '../src/verify/trail-verification.js';
import { makeTrail, tempDir } from './support/make-trail.js';

// Trail files are scanned in runs; fast lines the scan found linked (same chain, next seq, `prev` = the hash
// before) go to their chain in bulk (ChainVerifier.appendLinked) instead of one by one. These properties hold the
// bulk path to the line-by-line slow path on trails that are mostly in order — long linked stretches — with
// duplicates, gaps, swaps, jumps, edited lines, interleaved chains, strict-mode intents and a witness that
// forked, lost or never saw records: the same report, problems, witness counts and progress calls.

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** Two interleaved unsigned chains of tool calls, some strict-mode (an intent, then its tool call). */
function syntheticLines(): string[] {
  const lines: string[] = [];
  const heads = new Map<string, { seq: number; prev: string }>();
  const add = (chain: string, record: Record<string, unknown>) => {
    const head = heads.get(chain) ?? { seq: 0, prev: GENESIS_HASH };
    const sealed = sealRecord({
      ...record,
      v: 1,
      chain,
      seq: head.seq,
      prev: head.prev,
      ts: '2026-12-05T00:00:00.000Z',
    });
    heads.set(chain, { seq: head.seq + 1, prev: sealed.hash });
    lines.push(sealed.line);
    return head.seq;
  };
  // An intent's tool call comes two records later (another call in between): it ends a linked stretch's intent.
  const open = new Map<string, number>();
  for (let i = 0; i < 80; i++) {
    const chain = i % 23 < 17 ? 'chain-a' : 'chain-b';
    if (i % 9 === 4) open.set(chain, add(chain, { type: 'intent', tool: 'lookup', args: { i } }));
    else if (i % 9 === 6 && open.has(chain) && i % 18 !== 6) {
      add(chain, { type: 'tool_call', tool: 'lookup', intent_seq: open.get(chain), result: { i } });
      open.delete(chain);
    } else add(chain, { type: 'tool_call', tool: 'lookup', args: { i }, result: { ok: true } });
  }
  return lines;
}

/**
 * Another branch of the same chains: from line `from` on, every record re-sealed with other content (its own
 * hashes and links; a checkpoint's signature then fails), its seq moved by `shift` and `relabel` appended to its
 * chain id (linked to the genuine records before it all the same), and `extra` tool calls
 * sealed after the last line — a forger's records, linked among themselves, for the walk to mix with the genuine
 * ones.
 */
function forkedLines(lines: string[], from: number, extra: number, shift = 0, relabel = ''): string[] {
  const heads = new Map<string, string>();
  const out = lines.map((line, i) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    const chain = record.chain as string;
    if (i < from) {
      heads.set(chain, record.hash as string);
      return line;
    }
    delete record.hash;
    if (record.type === 'tool_call') record.result = { forged: i };
    record.seq = (record.seq as number) + shift;
    const sealed = sealRecord({ ...record, chain: chain + relabel, prev: heads.get(chain) ?? record.prev });
    heads.set(chain, sealed.hash);
    return sealed.line;
  });
  const last = JSON.parse(lines[lines.length - 1] as string) as { chain: string; seq: number; hash: string };
  let prev = last.hash;
  for (let k = 1; k <= extra; k++) {
    const sealed = sealRecord({
      v: 1,
      type: 'tool_call',
      chain: last.chain,
      seq: last.seq + k,
      prev,
      ts: '2026-12-05T00:00:00.000Z',
      tool: 'lookup',
      result: { appended: k },
    });
    prev = sealed.hash;
    out.push(sealed.line);
  }
  return out;
}

const step: fc.Arbitrary<Step> = fc.record({
  move: fc.oneof(
    { weight: 30, arbitrary: fc.constant('next' as const) },
    { weight: 1, arbitrary: fc.constant('repeat' as const) },
    { weight: 1, arbitrary: fc.constant('skip' as const) },
    { weight: 1, arbitrary: fc.constant('back' as const) },
    { weight: 1, arbitrary: fc.constant('jump' as const) },
    { weight: 1, arbitrary: fc.constant('switch' as const) },
    { weight: 1, arbitrary: fc.constant('cross' as const) },
  ),
  to: fc.nat(),
  // One line in twenty edited (a byte overwritten): it then takes the slow path and ends a stretch.
  edit: fc.oneof(
    { weight: 19, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }) }) },
  ),
});

interface Step {
  move: 'next' | 'repeat' | 'skip' | 'back' | 'jump' | 'switch' | 'cross';
  to: number;
  edit: { at: number; byte: number } | undefined;
}

/** A walk over every line in order (the first step visits line 1: line 0 is where a walk starts from). */
function straight(count: number): Step[] {
  return [{ move: 'jump', to: 0, edit: undefined }, ...Array.from({ length: count - 1 }, () => next)];
}

/** Lines 0 … `at` - 1 of the genuine branch, then `moves` to other branches, then `after` lines on. */
function branchAt(at: number, moves: Array<'switch' | 'cross'>, after: number): Step[] {
  return [
    ...straight(at),
    ...moves.map((move): Step => ({ move, to: 0, edit: undefined })),
    ...Array.from({ length: after }, () => next),
  ];
}

const next: Step = { move: 'next', to: 0, edit: undefined };

/**
 * The lines a walk visits, mostly in order, some edited: over `branches` of the same length (genuine, forged),
 * `switch` moving to the next branch at the same place, `cross` to the next branch's next line.
 */
function walk(branches: string[][], steps: Step[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let branch = 0;
  for (const { move, to, edit } of steps) {
    if (move === 'next') at++;
    else if (move === 'skip') at += 2;
    else if (move === 'back') at--;
    else if (move === 'jump') at = to;
    else if (move === 'switch') branch = (branch + 1) % branches.length;
    else if (move === 'cross') {
      branch = (branch + 1) % branches.length;
      at++;
    }
    const lines = branches[branch] as string[];
    at = ((at % lines.length) + lines.length) % lines.length;
    const line = Buffer.from(lines[at] as string);
    if (edit) line[edit.at % line.length] = edit.byte;
    out.push(line);
  }
  return out;
}

function joinLines(lines: Buffer[], finalNewline: boolean): Buffer {
  const newline = Buffer.from('\n');
  const parts = lines.flatMap((line) => [line, newline]);
  if (!finalNewline) parts.pop();
  return Buffer.concat(parts);
}

/** A witness copy of `lines`: some dropped, some with another hash (a fork at that seq). */
function witnessLines(lines: string[], dropped: Set<number>, forked: Set<number>): string {
  return lines
    .filter((_, i) => !dropped.has(i))
    .map((line, i) =>
      forked.has(i) ? line.replace(/"hash":"([0-9a-f])/, (_, c) => `"hash":"${c === '0' ? '1' : '0'}`) : line,
    )
    .join('\n');
}

async function compare(file: string, options: { publicKeys?: string[]; witness?: string }): Promise<void> {
  const fastProgress: number[] = [];
  const fastReport = await verifyTrail(file, {
    ...options,
    workers: 0,
    progressEvery: 7,
    onProgress: (records) => fastProgress.push(records),
  });
  const slowProgress: number[] = [];
  const slow = new TrailVerification({
    publicKeys: options.publicKeys,
    anchors: [],
    progressEvery: 7,
    onProgress: (records) => slowProgress.push(records),
    witnessIndex: options.witness === undefined ? undefined : await readWitness(options.witness),
  });
  for await (const { text, line, invalidUtf8 } of readTrailLines(file))
    slow.addText(text, file, line, !invalidUtf8);
  expect(fastReport).toEqual(slow.finish());
  expect(fastProgress).toEqual(slowProgress);
}

describe('linked stretches go to their chain in bulk', () => {
  it('report what the line-by-line slow path reports (fuzzed walks over a signed trail, with a witness)', async () => {
    const trail = await makeTrail({ calls: 60, every: 7 });
    // The genuine trail, then records appended after its final checkpoint; and a forged branch from seq 30.
    const genuine = forkedLines(trail.lines, trail.lines.length, 10);
    const branches = [genuine, forkedLines(trail.lines, 30, 10), forkedLines(trail.lines, 30, 0, 1)];
    const dir = tempDir();
    const file = join(dir, 'walk.jsonl');
    const witness = join(dir, 'witness.jsonl');
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 120, size: 'max' }),
        fc.option(
          fc.record({
            dropped: fc.uniqueArray(fc.nat({ max: genuine.length - 1 }), { maxLength: 6 }),
            forked: fc.uniqueArray(fc.nat({ max: genuine.length - 1 }), { maxLength: 4 }),
          }),
          { nil: undefined },
        ),
        async (steps, seen) => {
          writeFileSync(file, joinLines(walk(branches, steps), true));
          if (seen)
            writeFileSync(witness, witnessLines(genuine, new Set(seen.dropped), new Set(seen.forked)));
          await compare(file, { publicKeys: [trail.publicKeyPem], witness: seen ? witness : undefined });
        },
      ),
      // Besides the random walks: straight through (the appended records in bulk after the final checkpoint); a
      // genuine stretch going on into forged records (linked among themselves, not to it); a forged record at a
      // genuine one's seq followed by its successor; genuine records going on into records one seq further on.
      {
        numRuns: 150,
        seed,
        examples: [
          [straight(genuine.length), undefined],
          [branchAt(34, ['cross'], 6), undefined],
          [branchAt(34, ['switch'], 6), undefined],
          [branchAt(34, ['switch', 'cross'], 6), undefined],
        ],
      },
    );
  }, 120_000);

  it('report what the slow path reports on interleaved chains with strict-mode intents (fuzzed)', async () => {
    const lines = syntheticLines();
    const branches = [lines, forkedLines(lines, 25, 0), forkedLines(lines, 25, 0, 0, '-copy')];
    const dir = tempDir();
    const file = join(dir, 'walk.jsonl');
    const witness = join(dir, 'witness.jsonl');
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 150, size: 'max' }),
        fc.boolean(),
        fc.uniqueArray(fc.nat({ max: lines.length - 1 }), { maxLength: 4 }),
        async (steps, withWitness, forked) => {
          writeFileSync(file, joinLines(walk(branches, steps), false));
          if (withWitness) writeFileSync(witness, witnessLines(lines, new Set(), new Set(forked)));
          await compare(file, { witness: withWitness ? witness : undefined });
        },
      ),
      // Besides the random walks: straight through; genuine records going on into another chain's records.
      {
        numRuns: 150,
        seed,
        examples: [
          [straight(lines.length), true, []],
          [branchAt(12, ['switch', 'cross'], 6), false, []],
        ],
      },
    );
  }, 120_000);

  it('takes the bulk path for an untouched trail, every record witnessed', async () => {
    const trail = await makeTrail({ calls: 60, every: 7 });
    const appended: number[] = [];
    const appendLinked = ChainVerifier.prototype.appendLinked;
    const spy = vi.spyOn(ChainVerifier.prototype, 'appendLinked').mockImplementation(function (
      this: ChainVerifier,
      records: LinkedRecords,
    ) {
      const applied = appendLinked.call(this, records);
      if (applied) appended.push(records.count);
      return applied;
    });
    // The witness is a copy: the trail's own file is refused as its witness.
    const witness = join(tempDir(), 'witness.jsonl');
    copyFileSync(trail.file, witness);
    try {
      await compare(trail.file, { publicKeys: [trail.publicKeyPem], witness });
      const report = await verifyTrail(trail.file, {
        publicKeys: [trail.publicKeyPem],
        workers: 0,
        witness,
      });
      expect(report.verdict).toBe('intact');
      expect(report.witness?.witnessed).toBe(trail.lines.length);
    } finally {
      spy.mockRestore();
    }
    // Checkpoints (every 7 records) take the slow path: the tool calls between them are linked stretches.
    expect(appended.length).toBeGreaterThan(10);
    expect(appended.every((count) => count >= 1)).toBe(true);
  });
});
