import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOldTrail } from '../../../cli/test/support/old-trail.js';
import { type VerifyReport, verifyTrail } from '../../src/index.js';
import { loadSigningKey } from '../../src/internal.js';
import { tempDir } from '../support/make-trail.js';
import { appendForged, evilCall, readLines, writeLines } from './attacker.js';

/**
 * A witness given as another trail directory is read like a trail directory: a FIFO there used to block the
 * verifier for ever, a link was followed to whatever it names, a line over the limit threw. Each is now one
 * `malformed` problem (`witness: …`): what the witness could not read may have held a chain deleted from the trail.
 */

const A = '20240101T000000Z-0a0a0a0a';
const day = { ts: '2024-01-01T10:00:00.000Z', retention: 'general' };

function trailAndWitness(): { dir: string; witness: string; publicKeyPem: string } {
  const dir = join(tempDir(), 'trail');
  const { privateKeyPem } = writeOldTrail(dir, A, [[day]]);
  const witness = join(tempDir(), 'witness');
  mkdirSync(witness);
  const segment = `${A}.000000.jsonl`;
  copyFileSync(join(dir, segment), join(witness, segment));
  const publicKeyPem = loadSigningKey({ privateKey: privateKeyPem })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  return { dir, witness, publicKeyPem };
}

/** The final checkpoint removed and a forged call appended: what a witness that is the trail itself vouches for. */
function cutAndForge(dir: string): void {
  const file = join(dir, `${A}.000000.jsonl`);
  writeLines(file, appendForged(readLines(file).slice(0, -1), [evilCall()]));
}

/** Verifies against the witness, or fails the test after `ms` instead of hanging with it. */
async function verifyWithin(trail: ReturnType<typeof trailAndWitness>, ms = 5000): Promise<VerifyReport> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`verify did not return within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([
      verifyTrail(trail.dir, { publicKeys: [trail.publicKeyPem], witness: trail.witness }),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const witnessProblems = (report: VerifyReport) =>
  report.problems.filter(
    (problem) => problem.kind === 'malformed' && problem.message.startsWith('witness: '),
  );

describe('reading a witness directory', () => {
  it('control: a copy of the trail as the witness is intact', async () => {
    expect((await verifyWithin(trailAndWitness())).verdict).toBe('intact');
  });

  it('a FIFO with a trail file name in the witness directory: reported, not waited on', async () => {
    const trail = trailAndWitness();
    const fifo = join(trail.witness, `${A}.000001.jsonl`);
    execFileSync('mkfifo', [fifo]);
    const report = await verifyWithin(trail);
    expect(report.verdict).toBe('problems');
    expect(witnessProblems(report).map((problem) => problem.file)).toEqual([fifo]);
  });

  it('a symbolic link in the witness directory: not followed, reported', async () => {
    const trail = trailAndWitness();
    const link = join(trail.witness, `${A}.000001.jsonl`);
    symlinkSync('/dev/null', link);
    const report = await verifyWithin(trail);
    expect(report.verdict).toBe('problems');
    expect(witnessProblems(report).map((problem) => problem.file)).toEqual([link]);
  });

  it('the trail itself as its witness (the same directory, a link to it, a hard-linked "copy"): no witness at all', async () => {
    for (const witnessOf of [
      (dir: string) => dir,
      (dir: string) => {
        const link = join(tempDir(), 'link');
        symlinkSync(dir, link);
        return link;
      },
      (dir: string) => {
        const copy = join(tempDir(), 'copy');
        mkdirSync(copy);
        linkSync(join(dir, `${A}.000000.jsonl`), join(copy, `${A}.000000.jsonl`));
        return copy;
      },
    ]) {
      const trail = trailAndWitness();
      rmSync(trail.witness, { recursive: true });
      trail.witness = witnessOf(trail.dir);
      cutAndForge(trail.dir);
      const report = await verifyWithin(trail);
      expect(report.verdict, trail.witness).toBe('problems');
      expect(witnessProblems(report).map((problem) => problem.message)).toEqual([
        expect.stringMatching(/is a file of the trail itself/),
      ]);
      expect(report.problems.map((problem) => problem.kind)).toContain('unprotected');
    }
  });
});
