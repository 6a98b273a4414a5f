import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyTrail } from '@tooltrail/core';
import { describe, expect, it } from 'vitest';
import { planRetention } from '../src/retention/plan.js';
import { type OldCall, writeKeys, writeOldTrail } from './support/old-trail.js';

/**
 * `retention apply` signs an anchor — with the real key — for the cut its plan chose, and the verifier accepts any
 * cut an anchor vouches for. The plan read the segments on its own, trusting their `ts` and `retention` fields
 * without their hashes, before the trail was verified: an attacker who showed the plan other bytes than the
 * verification (a FIFO at the segment's name, written to when the plan opened it and replaced by the genuine file
 * at once) had records cut that retention keeps, under a genuine anchor, and the trail then verified intact.
 */

const bin = resolve(import.meta.dirname, '../dist/bin.js');
const A = '20240101T000000Z-aaaaaaaa';
const NOW = '2026-11-27';
const at = (date: string, retention = 'general', tool?: string): OldCall => ({
  ts: `${date}T09:00:00.000Z`,
  retention,
  tool,
});

/** Chain A: seg 0 old general calls (deletable), seg 1 old general + a financial charge (kept 7 years), seg 2 recent. */
function makeTrail() {
  const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-retention-attacks-')), 'trail');
  const { privateKeyPem } = writeOldTrail(dir, A, [
    [at('2024-01-02'), at('2024-01-03')],
    [at('2024-02-01'), at('2024-02-02', 'financial', 'charge_payment')],
    [at('2026-11-01')],
  ]);
  const { publicKeyPath } = writeKeys(dir, privateKeyPem);
  return { dir, publicKeyPem: readFileSync(publicKeyPath, 'utf8'), segment1: join(dir, `${A}.000001.jsonl`) };
}

/** Segment 1 as the attacker shows it to the plan: the financial charge relabelled `general`, hashes untouched. */
const relabelled = (text: string) => text.replaceAll('"retention":"financial"', '"retention":"general"');

function runApply(dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [bin, 'retention', 'apply', '--source', dir, '--now', NOW, '--yes'],
      {
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => done({ code, stderr }));
  });
}

describe('retention apply: the plan sees the bytes the verification sees', () => {
  it('control: segment 1 holds a financial record, so only segment 0 is deletable', async () => {
    const { dir } = makeTrail();
    const plan = await planRetention(dir, Date.parse(NOW), { general: 365, financial: 2555 });
    expect(plan.chains[0]?.segments.map((segment) => segment.deletable)).toEqual([true, false, false]);
  });

  it('a segment whose records do not match their hashes is never deletable', async () => {
    const { dir, segment1 } = makeTrail();
    writeFileSync(segment1, relabelled(readFileSync(segment1, 'utf8')));
    const plan = await planRetention(dir, Date.parse(NOW), { general: 365, financial: 2555 });
    const [, second] = plan.chains[0]?.segments ?? [];
    expect(second?.deletable).toBe(false);
    expect(second?.why).toMatch(/hash/);
  });

  it('a FIFO at a segment name, fed a relabelled copy, then replaced by the genuine segment: nothing retention keeps is cut', async () => {
    const { dir, publicKeyPem, segment1 } = makeTrail();
    const genuine = readFileSync(segment1);
    const hidden = join(dir, '..', 'genuine-segment-1');
    renameSync(segment1, hidden);
    execFileSync('mkfifo', [segment1]);
    const applied = runApply(dir);
    let exited = false;
    applied.then(() => (exited = true));
    // Feed the plan when it opens the FIFO (a non-blocking open for writing fails until a reader is there).
    for (;;) {
      let fd: number | undefined;
      try {
        fd = openSync(segment1, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {}
      if (fd !== undefined) {
        writeSync(fd, relabelled(genuine.toString('utf8')));
        closeSync(fd);
        break;
      }
      if (exited) break;
      await new Promise((wake) => setTimeout(wake, 5));
    }
    renameSync(hidden, segment1);
    await applied;
    // The financial record (segment 1) is still there, or the cut is reported: never an intact trail without it.
    const report = await verifyTrail(dir, { publicKeys: [publicKeyPem] });
    const intactWithoutIt = report.verdict === 'intact' && !existsSync(segment1);
    expect(intactWithoutIt).toBe(false);
    expect(existsSync(segment1)).toBe(true);
  }, 20_000);
});
