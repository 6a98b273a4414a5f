import { mkdirSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOldTrail } from '../../cli/test/support/old-trail.js';
import { generateSigningKeyPair, verifyTrail } from '../src/index.js';
import { loadSigningKey, type RetentionAnchor, signRetentionAnchor } from '../src/internal.js';

const CHAIN = '20240101T000000Z-0a0b0c0d';
const old = (day: number) => ({
  ts: `2024-01-${String(day).padStart(2, '0')}T10:00:00.000Z`,
  retention: 'general',
});

/**
 * Three segments of 2 calls + checkpoint each, the first opened by the genesis checkpoint (seqs 0-3, 4-6, 7-9);
 * deletes the first one, genesis included.
 */
function cutTrail() {
  const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-retention-')), 'trail');
  const { privateKeyPem, lines } = writeOldTrail(dir, CHAIN, [
    [old(1), old(2)],
    [old(3), old(4)],
    [old(5), old(6)],
  ]);
  unlinkSync(join(dir, `${CHAIN}.000000.jsonl`));
  const key = loadSigningKey({ privateKey: privateKeyPem });
  const publicKeyPem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const deletedFirst = JSON.parse(lines[0]?.[0] ?? '{}');
  const deletedLast = JSON.parse(lines[0]?.at(-1) ?? '{}');
  const firstKept = JSON.parse(lines[1]?.[0] ?? '{}');
  // The deleted head starts with the signed genesis checkpoint: after the cut, only the anchor vouches for it.
  expect(deletedFirst).toMatchObject({ seq: 0, type: 'checkpoint', genesis: true });
  expect([deletedLast.seq, firstKept.seq]).toEqual([3, 4]);
  const fields = {
    chain: CHAIN,
    first_kept_seq: 4,
    first_kept_prev: firstKept.prev as string,
    deleted: [{ file: `${CHAIN}.000000.jsonl`, records: 4, first_seq: 0, last_seq: 3, last_ts: old(2).ts }],
    policy: { classes: { general: 365 }, now: '2026-01-01T00:00:00.000Z' },
    ts: '2026-01-01T00:00:00.000Z',
  };
  expect(fields.first_kept_prev).toBe(deletedLast.hash);
  return { dir, key, publicKeyPem, fields };
}

function writeAnchors(dir: string, anchors: unknown[]): void {
  mkdirSync(join(dir, 'retention'), { recursive: true });
  writeFileSync(
    join(dir, 'retention', `${CHAIN}.anchors.jsonl`),
    anchors.map((anchor) => `${JSON.stringify(anchor)}\n`).join(''),
  );
}

describe('verifyTrail with retention anchors', () => {
  it('a cut head without an anchor is truncated', async () => {
    const { dir, publicKeyPem } = cutTrail();
    const report = await verifyTrail(dir, { publicKeys: [publicKeyPem] });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toEqual(['truncated']);
  });

  it('accepts a head cut vouched for by a signed anchor (read from <dir>/retention), pinned key', async () => {
    const { dir, key, publicKeyPem, fields } = cutTrail();
    const { anchor, line } = signRetentionAnchor(fields, key);
    writeAnchors(dir, [JSON.parse(line)]);
    expect(anchor.anchor_seq).toBe(0);
    const report = await verifyTrail(dir, { publicKeys: [publicKeyPem] });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ firstSeq: 4, lastSeq: 9, final: true, retainedFrom: 4 });
    // Passed explicitly with a file source too.
    const file = join(dir, `${CHAIN}.000001.jsonl`);
    const second = join(dir, `${CHAIN}.000002.jsonl`);
    expect(
      (await verifyTrail({ paths: [file, second] }, { anchors: [anchor], publicKeys: [publicKeyPem] })).ok,
    ).toBe(true);
    expect((await verifyTrail({ paths: [file, second] }, { publicKeys: [publicKeyPem] })).ok).toBe(false);
  });

  it('an anchor does not excuse cutting more than it says', async () => {
    const { dir, key, publicKeyPem, fields } = cutTrail();
    writeAnchors(dir, [signRetentionAnchor(fields, key).anchor]);
    unlinkSync(join(dir, `${CHAIN}.000001.jsonl`));
    const report = await verifyTrail(dir, { publicKeys: [publicKeyPem] });
    expect(report.problems.map((p) => p.kind)).toContain('truncated');
  });

  it('forged anchors: wrong prev, unsigned, edited after signing, other key', async () => {
    const { dir, key, publicKeyPem, fields } = cutTrail();
    const cases: Array<[string, RetentionAnchor, string[]]> = [];
    cases.push([
      'wrong prev',
      signRetentionAnchor({ ...fields, first_kept_prev: 'f'.repeat(64) }, key).anchor,
      ['truncated', 'truncated'],
    ]);
    const { sig: _sig, ...unsigned } = signRetentionAnchor(fields, key).anchor;
    cases.push(['unsigned', unsigned as RetentionAnchor, ['bad_signature', 'truncated']]);
    const edited = signRetentionAnchor(fields, key).anchor;
    edited.deleted = [];
    cases.push(['edited', edited, ['bad_signature', 'truncated']]);
    const other = loadSigningKey({ privateKey: generateSigningKeyPair().privateKeyPem });
    cases.push(['other key', signRetentionAnchor(fields, other).anchor, ['bad_signature', 'truncated']]);
    for (const [name, anchor, kinds] of cases) {
      writeAnchors(dir, [anchor]);
      const report = await verifyTrail(dir, { publicKeys: [publicKeyPem] });
      expect(report.ok, name).toBe(false);
      expect(report.problems.map((p) => p.kind).sort(), name).toEqual(kinds);
    }
  });

  it('unpinned: an anchor signed by a key other than the chain checkpoints key is flagged', async () => {
    const { dir, fields } = cutTrail();
    const other = loadSigningKey({ privateKey: generateSigningKeyPair().privateKeyPem });
    writeAnchors(dir, [signRetentionAnchor(fields, other).anchor]);
    const report = await verifyTrail(dir);
    expect(report.ok).toBe(false);
    // One key per chain, compared as key bytes: the anchor's key and the checkpoints' key cannot both be it.
    expect(report.problems.map((p) => [p.kind, p.seq])).toEqual([
      ['bad_signature', 6],
      ['bad_signature', 9],
    ]);
    expect(report.problems[0]?.message).toMatch(/signed with key .+, but this chain's key is /);
    expect(report.verdict).toBe('problems');
  });

  it('a later anchor chains to the earlier one', async () => {
    const { dir, key, fields } = cutTrail();
    const first = signRetentionAnchor(fields, key);
    const second = signRetentionAnchor({ ...fields, first_kept_seq: 7 }, key, first.anchor);
    expect(second.anchor.anchor_seq).toBe(1);
    expect(second.anchor.anchor_prev).toBe(first.anchor.hash);
    expect(readFileSync(join(dir, `${CHAIN}.000001.jsonl`), 'utf8')).toContain('"seq":4');
  });
});
