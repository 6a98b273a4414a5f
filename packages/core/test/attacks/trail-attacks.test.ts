import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  auditTool,
  generateSigningKeyPair,
  setupToolAudit,
  type VerifyReport,
  verifyTrail,
  withAuditContext,
} from '../../src/index.js';
import { tempDir } from '../support/make-trail.js';
import {
  appendForged,
  canonical,
  evilCall,
  forgerKey,
  hashOf,
  parse,
  readLines,
  relink,
  remove,
  seal,
  segments,
  writeLines,
} from './attacker.js';

/**
 * The attacks of someone who can write the trail directory but does not hold the signing key. Each must end in
 * a verdict other than "intact" with a pinned key.
 */
interface Trail {
  dir: string;
  publicKeyPem: string;
}

/** A real trail: `calls` calls, a checkpoint every 5 records, small segments, a final checkpoint (or not). */
async function honestTrail(
  options: { calls?: number; maxFileBytes?: number; shutdown?: boolean } = {},
): Promise<Trail & { audit: ReturnType<typeof setupToolAudit> }> {
  const dir = join(tempDir(), 'trail');
  const keys = generateSigningKeyPair();
  const audit = setupToolAudit({
    trail: { dir, maxFileBytes: options.maxFileBytes ?? 64 * 1024 * 1024 },
    signingKey: { privateKey: keys.privateKeyPem },
    checkpoints: { everyRecords: 5, everyMillis: 3_600_000 },
    register: false,
    exitHooks: false,
  });
  const read = auditTool(
    'access_patient_record',
    (args: { patient_id: string }) => ({ id: args.patient_id }),
    {
      subject: (args) => `patient:${args.patient_id}`,
    },
  );
  await withAuditContext({ userId: 'dr_chen', userRole: 'physician' }, async () => {
    for (let i = 0; i < (options.calls ?? 20); i++) read({ patient_id: `P-${i % 3}` });
  });
  if (options.shutdown !== false) await audit.shutdown();
  else await audit.forceFlush();
  return { dir, publicKeyPem: keys.publicKeyPem, audit };
}

const pinned = (trail: Trail, extra: Parameters<typeof verifyTrail>[1] = {}) =>
  verifyTrail(trail.dir, { publicKeys: [trail.publicKeyPem], ...extra });

const kinds = (report: VerifyReport) => [...new Set(report.problems.map((problem) => problem.kind))].sort();

function expectNotIntact(report: VerifyReport, ...expected: string[]): void {
  expect(report.ok).toBe(false);
  expect(report.verdict).toBe('problems');
  for (const kind of expected) expect(kinds(report)).toContain(kind);
}

function onlyFile(trail: Trail): string {
  const files = segments(trail.dir);
  expect(files).toHaveLength(1);
  return files[0] as string;
}

describe('attacks on the trail (write access, no signing key)', () => {
  it('an honest trail is intact, and born signed: seq 0 is the genesis checkpoint with the policy', async () => {
    const trail = await honestTrail();
    const report = await pinned(trail);
    expect(report).toMatchObject({ ok: true, verdict: 'intact', trusted: true, problems: [], warnings: [] });
    const genesis = parse(readLines(onlyFile(trail))[0] as string);
    expect(genesis).toMatchObject({
      type: 'checkpoint',
      seq: 0,
      genesis: true,
      every_records: 5,
      every_millis: 3_600_000,
      final: false,
    });
  });

  it('1. records appended after the final checkpoint', async () => {
    const trail = await honestTrail();
    const file = onlyFile(trail);
    writeLines(file, appendForged(readLines(file), [evilCall(), evilCall(), evilCall()]));
    expectNotIntact(await pinned(trail), 'after_final');
  });

  it('2. a whole new chain without any checkpoint dropped into the directory', async () => {
    const trail = await honestTrail();
    const chain = '20260101T000000Z-deadbeef';
    const first = seal({ ...evilCall(), v: 1, chain, seq: 0, prev: '0'.repeat(64) });
    writeLines(join(trail.dir, `${chain}.000000.jsonl`), appendForged([first], [evilCall(), evilCall()]));
    const report = await pinned(trail);
    expectNotIntact(report, 'unsigned_chain');
    expect(report.problems.find((problem) => problem.kind === 'unsigned_chain')?.chain).toBe(chain);
  });

  it('2b. a new chain that starts with a genesis signed by the attacker', async () => {
    const trail = await honestTrail();
    const forger = forgerKey();
    const chain = '20260101T000000Z-0badc0de';
    const genesis = forger.signCheckpoint({
      v: 1,
      type: 'checkpoint',
      chain,
      seq: 0,
      prev: '0'.repeat(64),
      ts: new Date().toISOString(),
      alg: 'ed25519',
      key_id: 'whatever',
      public_key: forger.publicKeyBase64,
      covers: { from: 0, to: -1 },
      every_records: 5,
      every_millis: 60_000,
      final: false,
      genesis: true,
    });
    writeLines(join(trail.dir, `${chain}.000000.jsonl`), appendForged([seal(genesis)], [evilCall()]));
    expectNotIntact(await pinned(trail), 'bad_signature');
  });

  it('3. history rewritten from some seq on, every checkpoint deleted, renumbered and rehashed', async () => {
    const trail = await honestTrail();
    const file = onlyFile(trail);
    const kept = readLines(file).filter((line) => parse(line).type !== 'checkpoint');
    const edited = kept.map((line, i) => (i >= 4 ? seal({ ...parse(line), user: 'dr_evil' }) : line));
    writeLines(file, relink(edited, 0));
    expectNotIntact(await pinned(trail), 'unsigned_chain');
  });

  it('3b. the same, keeping the genesis checkpoint', async () => {
    const trail = await honestTrail();
    const file = onlyFile(trail);
    const lines = readLines(file);
    const kept = [lines[0] as string, ...lines.slice(1).filter((line) => parse(line).type !== 'checkpoint')];
    writeLines(
      file,
      relink(
        kept.map((line, i) => (i >= 4 ? seal({ ...parse(line), user: 'dr_evil' }) : line)),
        1,
      ),
    );
    expectNotIntact(await pinned(trail), 'unprotected', 'unfinished');
  });

  it('4. every segment after the first deleted', async () => {
    const trail = await honestTrail({ calls: 40, maxFileBytes: 4096 });
    const files = segments(trail.dir);
    expect(files.length).toBeGreaterThan(2);
    for (const file of files.slice(1)) remove(file);
    expectNotIntact(await pinned(trail), 'unfinished');
  });

  it('5. the trail cut exactly at an earlier signed checkpoint (rollback), or the newest segment deleted', async () => {
    const trail = await honestTrail();
    const file = onlyFile(trail);
    const lines = readLines(file);
    const cut = lines.findIndex((line, i) => i > 0 && parse(line).type === 'checkpoint');
    writeLines(file, lines.slice(0, cut + 1));
    const report = await pinned(trail);
    expectNotIntact(report, 'unfinished');
    expect(kinds(report)).not.toContain('unprotected');

    const multi = await honestTrail({ calls: 40, maxFileBytes: 4096 });
    remove(segments(multi.dir).at(-1) as string);
    expectNotIntact(await pinned(multi), 'unfinished');
  });

  it('6. an empty directory, a directory holding only a .txt, a path with no trail in it', async () => {
    const empty = tempDir();
    expectNotIntact(
      await verifyTrail(empty, { publicKeys: [generateSigningKeyPair().publicKeyPem] }),
      'empty',
    );
    const txt = tempDir();
    writeFileSync(join(txt, 'notes.txt'), 'hello\n');
    expectNotIntact(await verifyTrail(txt, { publicKeys: [generateSigningKeyPair().publicKeyPem] }), 'empty');
    const parent = tempDir();
    mkdirSync(join(parent, 'sub'));
    const report = await verifyTrail(parent, { publicKeys: [generateSigningKeyPair().publicKeyPem] });
    expectNotIntact(report, 'empty');
    expect(report.problems[0]?.message).toMatch(/no audit records/);
  });

  it('a checkpoint re-signed by another key but carrying the original key_id (unpinned): keys are compared, not labels', async () => {
    const trail = await honestTrail();
    const file = onlyFile(trail);
    const lines = readLines(file);
    const forger = forgerKey();
    const last = lines.length - 1;
    // Append forged calls before the final checkpoint, then re-sign that checkpoint with the forger's key.
    const final = parse(lines[last] as string);
    const body = appendForged(lines.slice(0, last), [evilCall()]);
    const head = parse(body.at(-1) as string);
    const resigned = forger.signCheckpoint({
      ...final,
      seq: (head.seq as number) + 1,
      prev: head.hash,
      public_key: forger.publicKeyBase64,
      covers: { from: 0, to: head.seq },
    });
    writeLines(file, [...body, seal(resigned)]);
    const unpinned = await verifyTrail(trail.dir);
    expect(unpinned.ok).toBe(false);
    expect(unpinned.problems.map((problem) => problem.kind)).toContain('bad_signature');
    expectNotIntact(await pinned(trail), 'bad_signature');
  });

  it('stored bytes bound to the hash: duplicate members, reordered members, escapes, number forms', async () => {
    const trail = await honestTrail();
    const file = onlyFile(trail);
    const lines = readLines(file);
    const at = lines.findIndex((line) => parse(line).type === 'tool_call');
    const original = lines[at] as string;
    const variants = [
      // A first-wins reader (grep, many parsers) sees P-9; the last-wins parser sees the hashed subject.
      original.replace('{', '{"subject":"patient:P-9",'),
      // Same members, another order.
      `{${Object.entries(parse(original))
        .reverse()
        .map(([key, value]) => `${JSON.stringify(key)}:${canonical(value)}`)
        .join(',')}}`,
      original.replace('"healthcare"', '"h\\u0065althcare"'),
      original.replace(/"duration_ms":([0-9.]+)/, (_, number: string) => `"duration_ms":${number}e0`),
      original.replace('"v":1', '"v":1.0'),
      ` ${original}`,
    ];
    for (const variant of variants) {
      expect(variant).not.toBe(original);
      expect(JSON.parse(variant).subject).toMatch(/^patient:/);
      const copy = [...lines];
      copy[at] = variant;
      writeLines(file, copy);
      const report = await pinned(trail);
      expect(report.ok, variant).toBe(false);
      expect(kinds(report), variant).toContain('non_canonical');
    }
    writeLines(file, lines);
    expect((await pinned(trail)).ok).toBe(true);
  });

  it('without a trusted key nothing is "intact": the verdict says what was checked and how to pin', async () => {
    const trail = await honestTrail();
    const report = await verifyTrail(trail.dir);
    expect(report).toMatchObject({ ok: false, verdict: 'unauthenticated', trusted: false, problems: [] });
    expect(report.checked).toMatch(/unauthenticated/);
    expect(report.warnings.find((warning) => warning.kind === 'unpinned_keys')?.message).toMatch(
      /--public-key|TOOLTRAIL_PUBLIC_KEY_FILE/,
    );
  });

  it('a chain still being written passes only as live, and only while its last checkpoint is recent', async () => {
    const trail = await honestTrail({ calls: 7, shutdown: false });
    expectNotIntact(await pinned(trail), 'unfinished', 'unprotected');
    const live = await pinned(trail, { liveMillis: 60_000 });
    expect(live).toMatchObject({ ok: true, verdict: 'intact' });
    expect(live.warnings.map((warning) => warning.kind).sort()).toEqual(['unfinished', 'unprotected']);
    // A stale chain (its newest checkpoint older than the window) is not live.
    const stale = await pinned(trail, { liveMillis: -1 });
    expectNotIntact(stale, 'unfinished');
    await trail.audit.shutdown();
    expect((await pinned(trail)).ok).toBe(true);
  });
});

describe('the witness: rollback, deleted chains, forks', () => {
  /** The witness: a second copy of every record, as the collector archive or Loki would hold them. */
  function copyAsWitness(trail: Trail): string {
    const witness = tempDir();
    for (const file of segments(trail.dir))
      writeLines(join(witness, file.split('/').at(-1) as string), readLines(file));
    return witness;
  }

  it('agrees with an untouched trail, record for record', async () => {
    const trail = await honestTrail();
    const witness = copyAsWitness(trail);
    const report = await pinned(trail, { witness });
    expect(report).toMatchObject({ ok: true, verdict: 'intact' });
    expect(report.witness).toMatchObject({ witnessed: report.records, unwitnessed: 0, holes: 0 });
  });

  it('a rollback to an earlier checkpoint is rolled_back; a deleted chain is missing_chain', async () => {
    const trail = await honestTrail();
    const other = await honestTrail({ calls: 3 });
    const witness = copyAsWitness(trail);
    for (const file of segments(other.dir))
      writeLines(join(witness, file.split('/').at(-1) as string), readLines(file));
    const file = onlyFile(trail);
    const lines = readLines(file);
    const cut = lines.findIndex((line, i) => i > 0 && parse(line).type === 'checkpoint');
    writeLines(file, lines.slice(0, cut + 1));
    const report = await pinned(trail, { witness });
    expectNotIntact(report, 'rolled_back', 'missing_chain', 'unfinished');
  });

  it('a record replaced with another valid-looking one at the same seq is a fork', async () => {
    const trail = await honestTrail();
    const witness = copyAsWitness(trail);
    const file = onlyFile(trail);
    // Rewrite the whole chain from seq 1 on and drop the checkpoints: the witness still has the originals.
    const lines = readLines(file);
    const edited = [
      lines[0] as string,
      ...lines.slice(1).map((line) => seal({ ...parse(line), user: 'dr_evil' })),
    ];
    writeLines(file, relink(edited, 1));
    expectNotIntact(await pinned(trail, { witness }), 'fork');
  });

  it('a crashed chain (no final checkpoint) is a warning when the witness holds exactly what the trail holds', async () => {
    const trail = await honestTrail({ calls: 7, shutdown: false });
    const witness = copyAsWitness(trail);
    const report = await pinned(trail, { witness });
    expect(report).toMatchObject({ ok: true, verdict: 'intact' });
    expect(report.chains[0]).toMatchObject({ final: false, unprotected: 0 });
    expect(report.warnings.map((warning) => warning.kind)).toContain('unfinished');
    // Records appended afterwards are not witnessed, hence unprotected.
    const file = onlyFile(trail);
    writeLines(file, appendForged(readLines(file), [evilCall()]));
    expectNotIntact(await pinned(trail, { witness }), 'unprotected');
    await trail.audit.shutdown();
  });

  it('a witness delivered as record lines (a log source) works the same', async () => {
    const trail = await honestTrail();
    const lines = segments(trail.dir).flatMap(readLines).reverse();
    const report = await pinned(trail, { witness: lines });
    expect(report.ok).toBe(true);
    expect(report.witness?.witnessed).toBe(lines.length);
    const hashes = new Set(lines.map(hashOf));
    expect(hashes.size).toBe(lines.length);
  });

  it('the witness is never read as paths: a line naming a directory is just a non-record', async () => {
    const trail = await honestTrail();
    const report = await pinned(trail, { witness: [trail.dir, '/etc/passwd'] });
    // Nothing witnessed: the trail stands on its own signatures, but a witness that holds nothing is said so.
    expect(report.witness).toMatchObject({ records: 0, witnessed: 0 });
    expect(readdirSync(trail.dir).length).toBeGreaterThan(0);
  });
});
