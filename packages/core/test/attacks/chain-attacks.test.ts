import { copyFileSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOldTrail } from '../../../cli/test/support/old-trail.js';
import { type VerifyReport, type VerifyTrailOptions, verifyTrail } from '../../src/index.js';
import { loadSigningKey, type RetentionAnchor, signRetentionAnchor } from '../../src/internal.js';
import { tempDir } from '../support/make-trail.js';
import {
  canonical,
  forgerKey,
  type Json,
  parse,
  readLines,
  remove,
  seal,
  segments,
  writeLines,
} from './attacker.js';

/**
 * Attacks on the chain logic — links, seqs, signatures, anchors, the end of a chain — by someone who can write the
 * trail directory but does not hold the signing key. Each must end in a verdict other than "intact" with the
 * problem at the record attacked. (Attacks on the byte scan: verify-fast-path-attacks.test.ts.)
 */

const A = '20240101T000000Z-0a0a0a0a';
const B = '20240101T000001Z-0b0b0b0b';
const day = (n: number) => ({
  ts: `2024-01-${String(n).padStart(2, '0')}T10:00:00.000Z`,
  retention: 'general',
});

const CALLS = [1, 3, 5].map((n) => [day(n), day(n + 1)]);

interface Chains {
  dir: string;
  privateKeyPem: string;
  publicKeyPem: string;
  /** Chain A's lines per segment: seqs 0-3 (genesis, 2 calls, checkpoint), 4-6, 7-9 (the final checkpoint). */
  a: string[][];
  b: string[][];
}

/** Two finished chains, A and B, signed with the same key, three segments each. */
function twoChains(): Chains {
  const dir = join(tempDir(), 'trail');
  const { privateKeyPem, lines: a } = writeOldTrail(dir, A, CALLS);
  const { lines: b } = writeOldTrail(dir, B, CALLS, privateKeyPem);
  const publicKeyPem = loadSigningKey({ privateKey: privateKeyPem })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  return { dir, privateKeyPem, publicKeyPem, a, b };
}

const segmentFile = (dir: string, chain: string, n: number) =>
  join(dir, `${chain}.${String(n).padStart(6, '0')}.jsonl`);

const pinned = (chains: Chains, options: VerifyTrailOptions = {}) =>
  verifyTrail(chains.dir, { publicKeys: [chains.publicKeyPem], ...options });

const problemsAt = (report: VerifyReport) =>
  report.problems.map((problem) => [problem.kind, problem.chain, problem.seq]);

function expectProblems(report: VerifyReport, ...expected: Array<[string, string, number | null]>): void {
  expect(report.ok).toBe(false);
  expect(report.verdict).toBe('problems');
  for (const problem of expected) expect(problemsAt(report)).toContainEqual(problem);
}

/** Replaces the last line of chain A's last segment (its final checkpoint, seq 9) with `line`. */
function replaceFinal(chains: Chains, line: string): void {
  const file = segmentFile(chains.dir, A, 2);
  const lines = readLines(file);
  writeLines(file, [...lines.slice(0, -1), line]);
}

/** Base64 spellings Node's decoder reads as the same 64 bytes: what a lenient check would accept. */
function reencodings(sig: string): string[] {
  const variants = [
    sig.replace(/=+$/, ''), // no padding
    sig.replace(/\+/g, '-').replace(/\//g, '_'), // URL-safe alphabet
    `${sig.slice(0, 40)}\n${sig.slice(40)}`, // whitespace inside (JSON-escaped in the line)
    `${sig}=AAAA`, // junk after the padding
    `${sig.slice(0, 85)}${String.fromCharCode(sig.charCodeAt(85) + 1)}==`, // unused low bits set
  ];
  const same = (text: string) => Buffer.from(text, 'base64').equals(Buffer.from(sig, 'base64'));
  return variants.filter((variant) => variant !== sig && same(variant));
}

/** The Ed25519 group order: S + L verifies in lax implementations. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function withScalarPlusOrder(sig: string): string {
  const bytes = Buffer.from(sig, 'base64');
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(bytes[i] as number);
  s += L;
  for (let i = 32; i < 64; i++) {
    bytes[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return bytes.toString('base64');
}

/** Chain A rewritten by the attacker from its genesis on: every record relinked, every checkpoint re-signed. */
function forgeWhole(lines: string[], sign: (record: Json) => Json): string[] {
  const out: string[] = [];
  for (const line of lines) {
    let record = parse(line);
    const last = out.length > 0 ? parse(out[out.length - 1] as string) : undefined;
    if (last) record.prev = last.hash;
    if (record.type === 'checkpoint') record = sign(record);
    out.push(seal(record));
  }
  return out;
}

function writeAnchor(dir: string, chain: string, anchors: unknown[]): void {
  mkdirSync(join(dir, 'retention'), { recursive: true });
  writeFileSync(
    join(dir, 'retention', `${chain}.anchors.jsonl`),
    anchors.map((anchor) => `${JSON.stringify(anchor)}\n`).join(''),
  );
}

/** Retention cut chain A's first segment (seqs 0-3) under a genuine anchor; returns the anchor. */
function retain(chains: Chains, chain = A, lines = chains.a): RetentionAnchor {
  const firstKept = parse(lines[1]?.[0] as string);
  const { anchor } = signRetentionAnchor(
    {
      chain,
      first_kept_seq: 4,
      first_kept_prev: firstKept.prev as string,
      deleted: [{ file: `${chain}.000000.jsonl`, records: 4, first_seq: 0, last_seq: 3, last_ts: day(2).ts }],
      policy: { classes: { general: 365 }, now: '2026-01-01T00:00:00.000Z' },
      ts: '2026-01-01T00:00:00.000Z',
    },
    loadSigningKey({ privateKey: chains.privateKeyPem }),
  );
  return anchor;
}

describe('attacks on the chain logic (write access, no signing key)', () => {
  it('two honest chains under one key are intact, pinned as a list or by key id', async () => {
    const chains = twoChains();
    expect(await pinned(chains)).toMatchObject({ ok: true, verdict: 'intact', problems: [] });
    const keyId = parse(chains.a[0]?.[0] as string).key_id as string;
    const byId = await verifyTrail(chains.dir, { publicKeys: { [keyId]: chains.publicKeyPem } });
    expect(byId).toMatchObject({ ok: true, verdict: 'intact', problems: [] });
  });

  it('the final checkpoint with its signature spelled another way (same bytes), its hash recomputed', async () => {
    const chains = twoChains();
    const final = parse(chains.a[2]?.at(-1) as string);
    const variants = reencodings(final.sig as string);
    expect(variants.length).toBeGreaterThanOrEqual(4);
    for (const sig of variants) {
      replaceFinal(chains, seal({ ...final, sig }));
      expectProblems(await pinned(chains), ['bad_signature', A, 9]);
    }
  });

  it('the final checkpoint with a non-canonical Ed25519 scalar (S + L)', async () => {
    const chains = twoChains();
    const final = parse(chains.a[2]?.at(-1) as string);
    replaceFinal(chains, seal({ ...final, sig: withScalarPlusOrder(final.sig as string) }));
    expectProblems(await pinned(chains), ['bad_signature', A, 9], ['unfinished', A, 9]);
  });

  it('a checkpoint that lies: covers widened, or made final after the newest segment is deleted', async () => {
    const chains = twoChains();
    const final = parse(chains.a[2]?.at(-1) as string);
    replaceFinal(chains, seal({ ...final, covers: { from: 0, to: 99 } }));
    expectProblems(await pinned(chains), ['bad_signature', A, 9]);

    remove(segmentFile(chains.dir, A, 2));
    const middle = segmentFile(chains.dir, A, 1);
    const lines = readLines(middle);
    writeLines(middle, [...lines.slice(0, -1), seal({ ...parse(lines.at(-1) as string), final: true })]);
    expectProblems(await pinned(chains), ['bad_signature', A, 6], ['unfinished', A, 6]);
  });

  it("another chain's genuine final checkpoint (same key) replayed as this chain's end", async () => {
    const chains = twoChains();
    const ours = parse(chains.a[2]?.at(-1) as string);
    const theirs = parse(chains.b[2]?.at(-1) as string);
    // Renamed into chain A at seq 9, linked to A's seq 8: the signature covers chain, seq and prev.
    replaceFinal(chains, seal({ ...theirs, chain: A, seq: 9, prev: ours.prev }));
    expectProblems(await pinned(chains), ['bad_signature', A, 9], ['unfinished', A, 9]);
    // Verbatim: it stays chain B's record (a duplicate there), and chain A has no end.
    replaceFinal(chains, chains.b[2]?.at(-1) as string);
    expectProblems(await pinned(chains), ['duplicate', B, 9], ['unfinished', A, 8]);
  });

  it('a whole segment copied or hard-linked under a later segment number', async () => {
    const chains = twoChains();
    const middle = segmentFile(chains.dir, A, 1);
    copyFileSync(middle, segmentFile(chains.dir, A, 3));
    expectProblems(await pinned(chains), ['duplicate', A, 4], ['duplicate', A, 6]);
    remove(segmentFile(chains.dir, A, 3));
    linkSync(middle, segmentFile(chains.dir, A, 4));
    expectProblems(await pinned(chains), ['duplicate', A, 4], ['duplicate', A, 6]);
  });

  it("the head deleted under another chain's genuine retention anchor (same key), verbatim or relabelled", async () => {
    const chains = twoChains();
    remove(segmentFile(chains.dir, A, 0));
    const theirs = retain(chains, B, chains.b);
    // Verbatim in A's anchors file: it speaks for chain B only.
    writeAnchor(chains.dir, A, [theirs]);
    expectProblems(await pinned(chains), ['truncated', A, 0]);
    // Relabelled for chain A, first_kept_prev pointed at A's record 3: the signature covers both.
    const relabelled = parse(
      seal({ ...theirs, chain: A, first_kept_prev: parse(chains.a[1]?.[0] as string).prev }),
    );
    writeAnchor(chains.dir, A, [relabelled]);
    expectProblems(await pinned(chains), ['bad_signature', A, 4], ['truncated', A, 0]);
    // The genuine anchor for A makes the same cut pass.
    writeAnchor(chains.dir, A, [retain(chains)]);
    expect(await pinned(chains)).toMatchObject({ ok: true, verdict: 'intact' });
  });

  it('a genuine retention anchor with its signature spelled another way, or its hash edited', async () => {
    const chains = twoChains();
    remove(segmentFile(chains.dir, A, 0));
    const anchor = retain(chains);
    for (const sig of reencodings(anchor.sig)) {
      writeAnchor(chains.dir, A, [parse(seal({ ...anchor, sig }))]);
      expectProblems(await pinned(chains), ['bad_signature', A, 4], ['truncated', A, 0]);
    }
    writeAnchor(chains.dir, A, [{ ...anchor, hash: 'f'.repeat(64) }]);
    expectProblems(await pinned(chains), ['bad_signature', A, 4], ['truncated', A, 0]);
  });

  it("pinned by key id: a chain forged whole with the attacker's key under the pinned id or their own", async () => {
    const forger = forgerKey();
    const own = `ed25519-${'0'.repeat(16)}`;
    const forgeries: Array<[string, (record: Json) => Json]> = [
      [
        'pinned id, own key embedded',
        (r) => forger.signCheckpoint({ ...r, public_key: forger.publicKeyBase64 }),
      ],
      ['pinned id, pinned key embedded', (r) => forger.signCheckpoint(r)],
      ['own id', (r) => forger.signCheckpoint({ ...r, key_id: own, public_key: forger.publicKeyBase64 })],
    ];
    for (const [name, sign] of forgeries) {
      const chains = twoChains();
      const keyId = parse(chains.a[0]?.[0] as string).key_id as string;
      for (const n of [1, 2]) remove(segmentFile(chains.dir, A, n));
      writeLines(segmentFile(chains.dir, A, 0), forgeWhole(chains.a.flat(), sign));
      const report = await verifyTrail(chains.dir, { publicKeys: { [keyId]: chains.publicKeyPem } });
      expect(report.ok, name).toBe(false);
      expect(problemsAt(report), name).toContainEqual(['bad_signature', A, 0]);
      expect(problemsAt(report), name).toContainEqual(['unsigned_chain', A, 0]);
    }
  });

  it('an unordered source: a repeat with edited content under the original hash, a re-signed repeat', async () => {
    const chains = twoChains();
    const lines = segments(chains.dir).flatMap(readLines).reverse();
    const unordered = (items: string[]) =>
      verifyTrail(items, { ordered: false, publicKeys: [chains.publicKeyPem] });
    expect(await unordered(lines)).toMatchObject({ ok: true, verdict: 'intact' });
    // A repeat of seq 5 carrying another user but the original hash is not an at-least-once copy.
    const edited = canonical({ ...parse(chains.a[1]?.[1] as string), user: 'dr_evil' });
    expectProblems(await unordered([...lines, edited]), ['hash_mismatch', A, 5]);
    // A repeat of the final checkpoint spelled differently hashes differently: two records claim seq 9.
    const final = parse(chains.a[2]?.at(-1) as string);
    const respelled = seal({ ...final, sig: (final.sig as string).replace(/=+$/, '') });
    expectProblems(await unordered([respelled, ...lines]), ['duplicate', A, 9]);
  });

  it('two segments renumbered (swapped), or the last line of one moved across the boundary in two halves', async () => {
    const chains = twoChains();
    const [first, middle, last] = [0, 1, 2].map((n) => segmentFile(chains.dir, A, n)) as [
      string,
      string,
      string,
    ];
    const [middleBytes, lastBytes] = [readFileSync(middle), readFileSync(last)];
    writeFileSync(middle, lastBytes);
    writeFileSync(last, middleBytes);
    expectProblems(await pinned(chains), ['out_of_order', A, 4], ['out_of_order', A, 6]);
    writeFileSync(middle, middleBytes);
    writeFileSync(last, lastBytes);
    // The same bytes, a line break moved: seq 3 (a checkpoint) ends segment 0 without it and starts segment 1.
    const lines = chains.a[0] as string[];
    const tail = lines.at(-1) as string;
    writeFileSync(first, `${lines.slice(0, -1).join('\n')}\n${tail.slice(0, 40)}`);
    writeFileSync(middle, `${tail.slice(40)}\n${middleBytes.toString('utf8')}`);
    const report = await pinned(chains);
    expectProblems(report, ['gap', A, 3]);
    expect(report.problems.filter((problem) => problem.kind === 'malformed').map((p) => p.file)).toEqual([
      first,
      middle,
    ]);
  });

  it('seq, v and type in other forms on the slow path: a string, negative, 5e0, unsafe, v 2', async () => {
    const chains = twoChains();
    const file = segmentFile(chains.dir, A, 1);
    const lines = readLines(file);
    const line = lines[1] as string; // seq 5
    const record = parse(line);
    const variants: Array<[string, string]> = [
      [line.replace('"seq":5', '"seq":"5"'), 'malformed'],
      [line.replace('"seq":5', '"seq":-5'), 'malformed'],
      [line.replace('"seq":5', '"seq":5e0'), 'non_canonical'],
      [line.replace('"seq":5', '"seq":9007199254740997'), 'malformed'],
      [seal({ ...record, v: 2 }), 'malformed'],
      [seal({ ...record, type: 'checkpoint' }), 'bad_signature'],
    ];
    for (const [variant, kind] of variants) {
      writeLines(file, [lines[0] as string, variant, ...lines.slice(2)]);
      const report = await pinned(chains);
      expect(report.ok, variant).toBe(false);
      expect(
        report.problems.map((problem) => problem.kind),
        variant,
      ).toContain(kind);
    }
  });
});
