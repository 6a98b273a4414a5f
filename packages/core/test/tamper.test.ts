import { describe, expect, it } from 'vitest';
import { checkpointSigningPayload } from '../src/chain/checkpoint.js';
import { sealRecord } from '../src/chain/record-hash.js';
import { generateSigningKeyPair, verifyTrail } from '../src/index.js';
import { loadSigningKey } from '../src/internal.js';
import { signBytes } from '../src/keys/signing-key.js';
import { type GeneratedTrail, makeTrail, writeLines } from './support/make-trail.js';

// 20 tool calls with a checkpoint every 5 records: seq 0 genesis, 1-5 calls, 6 checkpoint, ..., 24 checkpoint, 25 final.
const CALLS = 20;
const EVERY = 5;

async function fresh(): Promise<GeneratedTrail> {
  return makeTrail({ calls: CALLS, every: EVERY });
}

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
const seal = (record: Record<string, unknown>) => sealRecord(record).line;

async function verify(trail: GeneratedTrail, pinned = true) {
  return verifyTrail(trail.dir, pinned ? { publicKeys: [trail.publicKeyPem] } : {});
}

function kinds(report: Awaited<ReturnType<typeof verify>>): Array<[string, number | null]> {
  return report.problems.map((problem) => [problem.kind, problem.seq]);
}

describe('tamper detection', () => {
  it('verifies an untouched trail clean, with every record signed by a final checkpoint', async () => {
    const trail = await fresh();
    const report = await verify(trail);
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.verdict).toBe('intact');
    expect(report.records).toBe(26);
    expect(report.checkpoints).toBe(6);
    expect(report.chains[0]).toMatchObject({
      final: true,
      unsigned: 0,
      firstSeq: 0,
      lastSeq: 25,
      protectedTo: 25,
      unprotected: 0,
    });
    expect(parse(trail.lines[0]!)).toMatchObject({
      type: 'checkpoint',
      seq: 0,
      genesis: true,
      every_records: 5,
    });
  });

  it('detects an edited field as a hash mismatch at that seq', async () => {
    const trail = await fresh();
    const lines = [...trail.lines];
    lines[8] = lines[8]!.replace('"ORD-6"', '"ORD-666"');
    writeLines(trail, lines);
    expect(kinds(await verify(trail))).toEqual([['hash_mismatch', 8]]);
  });

  it('detects an edited record whose hash was recomputed as a broken link to the next record', async () => {
    const trail = await fresh();
    const lines = [...trail.lines];
    const record = parse(lines[7]!);
    record.user = 'someone_else';
    lines[7] = seal(record);
    writeLines(trail, lines);
    expect(kinds(await verify(trail))).toEqual([['link_mismatch', 8]]);
  });

  it('detects a deleted record as a gap', async () => {
    const trail = await fresh();
    writeLines(
      trail,
      trail.lines.filter((_, i) => i !== 7),
    );
    expect(kinds(await verify(trail))).toEqual([['gap', 7]]);
  });

  it('detects a forged record inserted with a valid hash and link as a duplicate seq and a broken link', async () => {
    const trail = await fresh();
    const lines = [...trail.lines];
    const forged = parse(lines[8]!);
    forged.args = { order_id: 'ORD-FORGED' };
    lines.splice(8, 0, seal(forged));
    writeLines(trail, lines);
    expect(kinds(await verify(trail))).toEqual([
      ['duplicate', 8],
      ['link_mismatch', 9],
    ]);
  });

  it('detects two swapped records as out of order', async () => {
    const trail = await fresh();
    const lines = [...trail.lines];
    [lines[7], lines[8]] = [lines[8]!, lines[7]!];
    writeLines(trail, lines);
    expect(kinds(await verify(trail))).toEqual([['out_of_order', 7]]);
  });

  it('detects a duplicated record', async () => {
    const trail = await fresh();
    const lines = [...trail.lines];
    lines.splice(8, 0, lines[7]!);
    writeLines(trail, lines);
    expect(kinds(await verify(trail))).toEqual([['duplicate', 7]]);
  });

  it('reports a checkpoint holding a lone-surrogate escape as a bad signature, without crashing', async () => {
    const trail = await fresh();
    const lines = [...trail.lines];
    // Canonical JSON cannot hold a lone surrogate: rebuilding the signed payload used to throw out of verify.
    lines[6] = lines[6]!.replace('"alg":"ed25519"', '"alg":"ed25519","note":"\\ud800"');
    writeLines(trail, lines);
    const report = await verify(trail);
    expect(report.ok).toBe(false);
    expect(kinds(report)).toContainEqual(['bad_signature', 6]);
    expect(report.problems.find((problem) => problem.kind === 'bad_signature')?.message).toMatch(
      /canonicalised/,
    );
  });

  it('detects a deleted checkpoint as a gap at its seq and a breach of the checkpoint policy', async () => {
    const trail = await fresh();
    expect(parse(trail.lines[12]!).type).toBe('checkpoint');
    writeLines(
      trail,
      trail.lines.filter((_, i) => i !== 12),
    );
    expect(kinds(await verify(trail))).toEqual([
      ['gap', 12],
      ['missing_checkpoint', 18],
    ]);
  });

  it('catches a tail rewritten with recomputed hashes and links through the pinned public key', async () => {
    const trail = await fresh();
    const lines = rewriteAfter(trail.lines, 9, (record) => {
      if (record.type === 'tool_call') record.args = { order_id: 'ORD-REWRITTEN' };
    });
    writeLines(trail, lines);
    const report = await verify(trail);
    // Every checkpoint after the rewrite fails, so nothing after seq 6 is protected and the chain is unfinished.
    expect(kinds(report)).toEqual([
      ['unprotected', 7],
      ['bad_signature', 12],
      ['bad_signature', 18],
      ['bad_signature', 24],
      ['bad_signature', 25],
      ['unfinished', 25],
    ]);
  });

  it('catches a tail rewritten and re-signed with another key, pinned or not', async () => {
    const trail = await fresh();
    const forger = loadSigningKey({ privateKey: generateSigningKeyPair().privateKeyPem });
    const lines = rewriteAfter(trail.lines, 9, (record) => {
      if (record.type === 'tool_call') record.args = { order_id: 'ORD-REWRITTEN' };
      if (record.type === 'checkpoint') {
        record.key_id = forger.id;
        record.public_key = forger.publicKeyBase64;
        record.sig = signBytes(forger.privateKey, checkpointSigningPayload(record));
      }
    });
    writeLines(trail, lines);
    const pinned = await verify(trail);
    expect(pinned.problems.map((problem) => [problem.kind, problem.seq])).toEqual([
      ['unprotected', 7],
      ['bad_signature', 12],
      ['bad_signature', 18],
      ['bad_signature', 24],
      ['bad_signature', 25],
      ['unfinished', 25],
    ]);
    // Unpinned, the forger's key is compared as bytes with the genesis key, whatever key_id says.
    const unpinned = await verify(trail, false);
    expect(unpinned.verdict).toBe('problems');
    expect(unpinned.problems.map((problem) => problem.kind)).toContain('bad_signature');
    expect(unpinned.warnings.map((warning) => warning.kind)).toContain('unpinned_keys');
  });

  it('reports a tail cut after a checkpoint, final checkpoint included, as unprotected and unfinished', async () => {
    const trail = await fresh();
    // Keep seqs 0..20: the last checkpoint kept is seq 18, so 19..20 are unsigned and nothing is final.
    writeLines(trail, trail.lines.slice(0, 21));
    const report = await verify(trail);
    expect(kinds(report)).toEqual([
      ['unprotected', 19],
      ['unfinished', 20],
    ]);
    expect(report.chains[0]).toMatchObject({
      final: false,
      unsigned: 2,
      lastCheckpointSeq: 18,
      unprotected: 2,
    });
  });

  it('verifies records delivered in any order (Loki, replays) when told the source is unordered', async () => {
    const trail = await fresh();
    // Reverse order: what a newest-first query would return.
    const lines = [...trail.lines].reverse();
    const asDelivered = { publicKeys: [trail.publicKeyPem], ordered: false };
    const clean = await verifyTrail(lines, asDelivered);
    expect(clean).toMatchObject({ ok: true, records: 26, problems: [] });
    expect(clean.chains[0]).toMatchObject({ final: true, firstSeq: 0 });
    // Reordering does not hide tampering: a deleted record is still a gap.
    const tampered = await verifyTrail(
      lines.filter((_, i) => i !== 3),
      asDelivered,
    );
    expect(kinds(tampered)).toEqual([['gap', 22]]);
    // In stored order, the same reversal is out of order.
    expect(
      (await verifyTrail(lines, { publicKeys: [trail.publicKeyPem] })).problems.map((p) => p.kind),
    ).toContain('out_of_order');
  });

  it('reports a removed head as truncated and a garbled line as malformed with its line number', async () => {
    const trail = await fresh();
    const lines = trail.lines.slice(3);
    lines[4] = '{"v":1,"type":"tool_call", not json';
    writeLines(trail, lines);
    const report = await verify(trail);
    expect(kinds(report)).toEqual([
      ['malformed', null],
      ['truncated', 0],
      ['gap', 7],
    ]);
    expect(report.problems[0]).toMatchObject({ line: 5, file: trail.file });
  });
});

/** Rewrites every record after index `from` and recomputes hash and prev links, as a forger with file access would. */
function rewriteAfter(
  lines: string[],
  from: number,
  edit: (record: Record<string, unknown>) => void,
): string[] {
  const out = lines.slice(0, from + 1);
  let prev = parse(lines[from]!).hash as string;
  for (const line of lines.slice(from + 1)) {
    const record = parse(line);
    edit(record);
    record.prev = prev;
    const sealed = sealRecord(record);
    prev = sealed.hash;
    out.push(sealed.line);
  }
  return out;
}
