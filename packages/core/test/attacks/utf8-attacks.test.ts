import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  auditTool,
  generateSigningKeyPair,
  setupToolAudit,
  type VerifyReport,
  verifyTrail,
} from '../../src/index.js';
import { tempDir } from '../support/make-trail.js';
import { segments } from './attacker.js';

/**
 * Bytes the verifier decodes before it compares them with the canonical form: a UTF-8 decoder turns every invalid
 * sequence into U+FFFD, so a record that holds U+FFFD (a tool argument with a broken character) could be stored with
 * other bytes in its place — invalid UTF-8 that a strict, Latin-1 or byte reader shows differently — and the decoded
 * text would still be the canonical, hashed one.
 */

const REPLACEMENT = Buffer.from('\uFFFD');

/** A finished trail whose only tool call carries U+FFFD in its argument. */
async function trailWithReplacementCharacter(): Promise<{ file: string; publicKeyPem: string }> {
  const dir = join(tempDir(), 'trail');
  const keys = generateSigningKeyPair();
  const audit = setupToolAudit({
    trail: { dir },
    signingKey: { privateKey: keys.privateKeyPem },
    register: false,
    exitHooks: false,
  });
  await auditTool('search_notes', async (args: { query: string }) => ({ count: args.query.length }))({
    query: 'caf\uFFFD au lait',
  });
  await audit.shutdown();
  const [file] = segments(dir);
  return { file: file as string, publicKeyPem: keys.publicKeyPem };
}

const problemsAt = (report: VerifyReport) =>
  report.problems.map((problem) => [problem.kind, problem.seq, problem.line ?? null]);

describe('invalid UTF-8 in place of U+FFFD: the bytes are not the written line', () => {
  it.each([
    ['one invalid byte', [0xff]],
    ['a cut 4-byte sequence (as long as U+FFFD)', [0xf0, 0x9f, 0x98]],
    ['a lone continuation byte', [0x80]],
    ['the lead byte of an overlong form', [0xc0]],
  ])('%s', async (_name, replacement) => {
    const trail = await trailWithReplacementCharacter();
    const bytes = readFileSync(trail.file);
    const at = bytes.indexOf(REPLACEMENT);
    expect(at).toBeGreaterThan(0);
    const line = bytes.subarray(0, at).toString('utf8').split('\n').length;
    const pinned = () => verifyTrail(trail.file, { publicKeys: [trail.publicKeyPem] });
    expect((await pinned()).verdict).toBe('intact');
    const edited = Buffer.concat([bytes.subarray(0, at), Buffer.from(replacement), bytes.subarray(at + 3)]);
    // The same text for a replacing decoder: only the stored bytes differ.
    expect(edited.toString('utf8')).toBe(bytes.toString('utf8'));
    writeFileSync(trail.file, edited);
    const report = await pinned();
    expect(report.verdict).toBe('problems');
    expect(problemsAt(report)).toContainEqual(['non_canonical', 1, line]);
    // On the calling thread's line-by-line scan too (the rest of a file after a run with no line break).
    writeFileSync(trail.file, Buffer.concat([Buffer.from(`${'x'.repeat(600 * 1024)}\n`), edited]));
    expect(problemsAt(await pinned())).toContainEqual(['non_canonical', 1, line + 1]);
  });
});

describe('other spellings of the same record', () => {
  it('a byte order mark before the first line: that line is not JSON, the chain then lacks its genesis', async () => {
    const trail = await trailWithReplacementCharacter();
    const bytes = readFileSync(trail.file);
    writeFileSync(trail.file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]));
    const report = await verifyTrail(trail.file, { publicKeys: [trail.publicKeyPem] });
    expect(report.verdict).toBe('problems');
    expect(problemsAt(report)).toContainEqual(['malformed', null, 1]);
  });

  it('-0 for 0 (JSON.parse reads the same number; the canonical form is 0)', async () => {
    const trail = await trailWithReplacementCharacter();
    const text = readFileSync(trail.file, 'utf8');
    expect(text).toContain('"from":0');
    // The genesis checkpoint covers {from: 0, to: -1}: its signature and hash are over "from":0.
    writeFileSync(trail.file, text.replace('"from":0', '"from":-0'));
    const report = await verifyTrail(trail.file, { publicKeys: [trail.publicKeyPem] });
    expect(report.verdict).toBe('problems');
    expect(problemsAt(report)).toContainEqual(['non_canonical', 0, 1]);
  });
});
