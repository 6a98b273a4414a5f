import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../core/test/attacks/attacker.js';
import { tooltrail } from './support/run-cli.js';
import { demoTrail } from './support/source-fixtures.js';

/**
 * The CLI's verdicts against an attacker with write access to the trail and no signing key: nothing they do may
 * read as intact, and reports and views say so first.
 */
type Json = Record<string, unknown>;

/** Renumbers and relinks every line: what an attacker does after removing lines. */
function relink(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const record = JSON.parse(line) as Json;
    const last = out.length > 0 ? (JSON.parse(out[out.length - 1] as string) as Json) : undefined;
    record.seq = last ? (last.seq as number) + 1 : 0;
    record.prev = last ? last.hash : '0'.repeat(64);
    out.push(seal(record));
  }
  return out;
}

let base: { dir: string; lines: string[] };

/** A fresh copy of the demo trail, its only segment file, and the trusted key kept outside it. */
function copyOfDemo(): { dir: string; file: string; lines: string[]; key: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-verdicts-')), 'trail');
  cpSync(base.dir, dir, { recursive: true });
  const file = join(dir, readdirSync(dir).find((name) => name.endsWith('.jsonl')) as string);
  const key = `${dir}.trusted-key.pub.pem`;
  writeFileSync(key, readFileSync(`${base.dir}.trusted-key.pub.pem`));
  return { dir, file, lines: [...base.lines], key };
}

const write = (file: string, lines: string[]) => writeFileSync(file, `${lines.join('\n')}\n`);

describe('integrity verdicts in every command', () => {
  beforeAll(() => {
    base = demoTrail('tooltrail-verdicts-demo-');
  });

  it('verify: intact only with a trusted key, from --public-key or TOOLTRAIL_PUBLIC_KEY_FILE', () => {
    const trail = copyOfDemo();
    const unpinned = tooltrail(['verify', trail.dir]);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stdout).toMatch(/\? NOT PROVEN \(no trusted key\)/);
    expect(unpinned.stdout).not.toMatch(/✔ intact/);
    const pinned = tooltrail(['verify', trail.dir], { TOOLTRAIL_PUBLIC_KEY_FILE: trail.key });
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toMatch(/^✔ intact: \d+ records, 1 chain\(s\)/m);
    expect(pinned.stdout).toMatch(/protected up to seq \d+, final/);
  });

  it('verify: an empty directory or a mistyped path that exists is not intact', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tooltrail-verdicts-empty-'));
    mkdirSync(join(empty, 'sub'));
    const run = tooltrail(['verify', empty, '--public-key', copyOfDemo().key]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/empty/);
  });

  it("report access: deleting a subject's records (and relinking the rest) fails the report, exit 1", () => {
    const trail = copyOfDemo();
    const subject = 'patient:P-1001';
    const kept = trail.lines.filter((line) => (JSON.parse(line) as Json).subject !== subject);
    expect(kept.length).toBeLessThan(trail.lines.length);
    write(trail.file, relink(kept));
    const run = tooltrail([
      'report',
      'access',
      '--subject',
      subject,
      '--from',
      '2000-01-01',
      '--to',
      '2100-01-01',
      '--source',
      trail.dir,
      '--public-key',
      trail.key,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toMatch(/^> \*\*⚠ INTEGRITY FAILURE/);
  });

  it('query and timeline: forged rows appended after the final checkpoint come with a failure line and UNPROTECTED', () => {
    const trail = copyOfDemo();
    const last = JSON.parse(trail.lines.at(-1) as string) as Json;
    const victim = trail.lines
      .map((line) => JSON.parse(line) as Json)
      .find((r) => r.type === 'tool_call') as Json;
    const forged = seal({
      ...victim,
      user: 'dr_evil',
      seq: (last.seq as number) + 1,
      prev: last.hash,
      ts: new Date().toISOString(),
    });
    write(trail.file, [...trail.lines, forged]);
    const query = tooltrail(['query', trail.dir, '--user', 'dr_evil', '--public-key', trail.key]);
    expect(query.code).toBe(0);
    expect(query.stderr).toMatch(/⚠ integrity: INTEGRITY FAILURE: .*after_final/);
    expect(query.stdout).toMatch(/UNPROTECTED/);
    const timeline = tooltrail([
      'timeline',
      String(victim.conversation),
      trail.dir,
      '--public-key',
      trail.key,
    ]);
    expect(timeline.stderr).toMatch(/INTEGRITY FAILURE/);
    expect(timeline.stdout).toMatch(/by dr_evil.*UNPROTECTED/);
    expect(tooltrail(['timeline', String(victim.conversation), trail.dir, '--no-verify']).stderr).toBe('');
  });

  it("export fhir: the verdict is the bundle's first tag and the exit status", () => {
    const trail = copyOfDemo();
    const intact = tooltrail(['export', 'fhir', '--source', trail.dir, '--public-key', trail.key]);
    expect(intact.code).toBe(0);
    expect((JSON.parse(intact.stdout) as { meta: { tag: Json[] } }).meta.tag[0]).toMatchObject({
      system: 'urn:tooltrail:integrity',
      code: 'intact',
    });
    write(trail.file, trail.lines.slice(0, -1));
    const cut = tooltrail(['export', 'fhir', '--source', trail.dir, '--public-key', trail.key]);
    expect(cut.code).toBe(1);
    expect((JSON.parse(cut.stdout) as { meta: { tag: Json[] } }).meta.tag[0]).toMatchObject({
      code: 'tampered',
    });
    expect(cut.stderr).toMatch(/INTEGRITY FAILURE/);
  });

  it('verify --witness: a rollback to an earlier checkpoint is rolled_back', () => {
    const trail = copyOfDemo();
    const witness = mkdtempSync(join(tmpdir(), 'tooltrail-verdicts-witness-'));
    cpSync(trail.file, join(witness, 'copy.jsonl'));
    const at = trail.lines.findIndex((line, i) => i > 0 && (JSON.parse(line) as Json).type === 'checkpoint');
    write(trail.file, trail.lines.slice(0, at + 1));
    const run = tooltrail(['verify', trail.dir, '--public-key', trail.key, '--witness', witness]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/rolled_back/);
    expect(run.stdout).toMatch(/witness: \d+ record\(s\)/);
  });

  it('report access --format html is never green without a trusted key', () => {
    const trail = copyOfDemo();
    const run = tooltrail([
      'report',
      'access',
      '--subject',
      'patient:P-1001',
      '--from',
      '2000-01-01',
      '--to',
      '2100-01-01',
      '--format',
      'html',
      '--source',
      trail.dir,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/class="tt-integrity bad">⚠ NOT PROVEN/);
  });
});
