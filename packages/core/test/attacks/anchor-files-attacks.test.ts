import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOldTrail } from '../../../cli/test/support/old-trail.js';
import { verifyTrail } from '../../src/index.js';
import { loadSigningKey, readRetentionAnchors } from '../../src/internal.js';
import { tempDir } from '../support/make-trail.js';

/**
 * The retention anchors file is in the trail directory, so the attacker can put anything at its name. Read with
 * `readFileSync`, a FIFO there blocked the verifier's thread for ever (no timer, no signal handler ran again) and a
 * link to `/dev/zero` read until memory ran out. Anchors files are now opened like segments: no link followed, only a
 * regular file read.
 */

const A = '20240101T000000Z-0a0a0a0a';
const day = { ts: '2024-01-01T10:00:00.000Z', retention: 'general' };
const dist = resolve(import.meta.dirname, '../../dist/verify.js');

function trail(): { dir: string; publicKeyPem: string; anchors: string } {
  const dir = join(tempDir(), 'trail');
  const { privateKeyPem } = writeOldTrail(dir, A, [[day]]);
  const anchors = join(dir, 'retention');
  mkdirSync(anchors);
  const publicKeyPem = loadSigningKey({ privateKey: privateKeyPem })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  return { dir, publicKeyPem, anchors };
}

/** The verdict of the built verifier in a child process, or `timed out` (a blocked thread cannot time itself out). */
function verdictOfBuilt(dir: string, publicKeyPem: string): string {
  const script = `import { verifyTrail } from ${JSON.stringify(dist)};
const report = await verifyTrail(${JSON.stringify(dir)}, { publicKeys: [${JSON.stringify(publicKeyPem)}] });
console.log(report.verdict);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return run.error ? 'timed out' : run.stdout.trim() || run.stderr;
}

describe('what stands at a retention anchors file name', () => {
  it('a FIFO: passed over, the verifier does not block', () => {
    const { dir, publicKeyPem, anchors } = trail();
    execFileSync('mkfifo', [join(anchors, `${A}.anchors.jsonl`)]);
    expect(verdictOfBuilt(dir, publicKeyPem)).toBe('intact');
    expect(readRetentionAnchors([dir])).toEqual([]);
  });

  it('a symbolic link (to /dev/zero, or to a genuine anchors file elsewhere): not followed', async () => {
    const { dir, publicKeyPem, anchors } = trail();
    symlinkSync('/dev/zero', join(anchors, `${A}.anchors.jsonl`));
    const elsewhere = join(tempDir(), 'b.anchors.jsonl');
    writeFileSync(elsewhere, `${JSON.stringify({ type: 'retention', chain: A })}\n`);
    symlinkSync(elsewhere, join(anchors, `${A}.x.anchors.jsonl`));
    expect(verdictOfBuilt(dir, publicKeyPem)).toBe('intact');
    expect(readRetentionAnchors([dir])).toEqual([]);
    expect((await verifyTrail(dir, { publicKeys: [publicKeyPem] })).verdict).toBe('intact');
  });
});
