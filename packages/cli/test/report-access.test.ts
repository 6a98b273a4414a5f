import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tooltrail } from './support/run-cli.js';
import { type Call, writePublicKey, writeSealedTrail } from './support/sealed-trail.js';

// Two chains; patient:P-1 in [2026-01-01, 2026-06-30] by hand: dr_a 3 (1 failed), dr_b 2 (1 emergency),
// nurse_c 1 → 6 accesses, 3 users. Out of range, other subjects and the prefix trap P-10 must not count.
const CHAIN_A: Call[] = [
  { ts: '2025-12-31T23:59:59.999Z', user: 'dr_a' }, // before --from
  { ts: '2026-01-01T00:00:00.000Z', user: 'dr_a' },
  { ts: '2026-01-01T09:30:00.000Z', user: 'dr_a', success: false },
  { ts: '2026-01-01T10:00:00.000Z', user: 'dr_a', subject: 'patient:P-2' },
  { ts: '2026-01-02T08:00:00.000Z', user: 'dr_a', tool: 'update_treatment' },
  { ts: '2026-07-01T00:00:00.000Z', user: 'dr_a' }, // after --to
];
const CHAIN_B: Call[] = [
  { ts: '2026-01-02T12:00:00.000Z', user: 'dr_b', role: 'physician', purpose: 'consult' },
  {
    ts: '2026-03-15T03:10:00.000Z',
    user: 'dr_b',
    purpose: 'emergency_treatment',
    emergency: 'unconscious in ER',
  },
  { ts: '2026-03-15T04:00:00.000Z', user: 'nurse_c', role: 'nurse', subject: 'patient:P-10' },
  { ts: '2026-06-30T23:59:59.999Z', user: 'nurse_c', role: 'nurse', purpose: 'care' },
];
const RANGE = ['--subject', 'patient:P-1', '--from', '2026-01-01', '--to', '2026-06-30'];

describe('tooltrail report access', () => {
  let trail: string;
  let tampered: string;
  let unfinished: string;
  /** The trails' key, pinned as a scheduled report would pin it: from the environment. */
  let pinned: NodeJS.ProcessEnv;

  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'tooltrail-report-'));
    pinned = { TOOLTRAIL_PUBLIC_KEY_FILE: writePublicKey(join(root, 'trusted.pub.pem')) };
    trail = join(root, 'trail');
    writeSealedTrail(trail, 'chainA', CHAIN_A);
    writeSealedTrail(trail, 'chainB', CHAIN_B);
    tampered = join(mkdtempSync(join(tmpdir(), 'tooltrail-report-tampered-')), 'trail');
    writeSealedTrail(tampered, 'chainA', CHAIN_A);
    const lines = writeSealedTrail(tampered, 'chainB', CHAIN_B);
    // seq 4: nurse_c's access to patient:P-1 (seq 0 is the genesis checkpoint).
    lines[4] = lines[4]!.replace('"user":"nurse_c"', '"user":"nurse_x"');
    writeFileSync(join(tampered, 'chainB.000000.jsonl'), `${lines.join('\n')}\n`);
    // chainB cut (or crashed) before its final checkpoint: only the genesis vouches for anything.
    unfinished = join(root, 'unfinished');
    writeSealedTrail(unfinished, 'chainA', CHAIN_A);
    writeSealedTrail(unfinished, 'chainB', CHAIN_B, { final: false });
  });

  it('counts what a hand count over the generated trail gives, emergency first, intact', () => {
    const run = tooltrail(['report', 'access', ...RANGE, '--format', 'json', '--source', trail], pinned);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      subject: 'patient:P-1',
      total_accesses: 6,
      unique_users: 3,
      emergency_accesses: 1,
      failed_accesses: 1,
      integrity_verified: true,
      // 10 tool calls, and each chain's genesis and final checkpoints.
      integrity: {
        status: 'intact',
        chains: ['chainA', 'chainB'],
        records: 14,
        checkpoints: 4,
        problems: [],
      },
    });
    expect(Object.keys(report)[0]).toBe('integrity');
    expect(report.accesses.every((access: { protected: boolean }) => access.protected === true)).toBe(true);
    expect(report.users).toEqual([
      { user: 'dr_a', accesses: 3, emergency: 0, failed: 1 },
      { user: 'dr_b', accesses: 2, emergency: 1, failed: 0 },
      { user: 'nurse_c', accesses: 1, emergency: 0, failed: 0 },
    ]);
    expect(report.accesses.map((a: { timestamp: string }) => a.timestamp)).toEqual([
      '2026-03-15T03:10:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T09:30:00.000Z',
      '2026-01-02T08:00:00.000Z',
      '2026-01-02T12:00:00.000Z',
      '2026-06-30T23:59:59.999Z',
    ]);
    expect(report.accesses[0]).toMatchObject({
      accessed_by: 'dr_b',
      emergency: true,
      emergency_reason: 'unconscious in ER',
      purpose: 'emergency_treatment',
      role: 'physician',
      tool: 'access_patient_record',
      success: true,
    });
  });

  it('reads RFC 3339 bounds with offsets as instants', () => {
    // 2026-01-01T10:30+01:00 = 09:30Z: keeps the 09:30 failure, drops 00:00.
    const run = tooltrail([
      'report',
      'access',
      '--subject',
      'patient:P-1',
      '--from',
      '2026-01-01T10:30:00+01:00',
      '--to',
      '2026-01-02T08:00:00Z',
      '--format',
      'json',
      '--source',
      trail,
    ]);
    const report = JSON.parse(run.stdout);
    expect(report.total_accesses).toBe(2);
    expect(report.failed_accesses).toBe(1);
  });

  it('writes Markdown with the verdict near the top and the emergency row first', () => {
    const run = tooltrail(['report', 'access', ...RANGE, '--source', trail], pinned);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // The verdict first, then what was checked, then the report.
    expect(lines[0]).toMatch(
      /^> \*\*✔ intact: 14 records in 2 chain\(s\) of .* verified with the trusted key\*\*$/,
    );
    expect(lines[2]).toMatch(/^> checked: .*signatures by the pinned key/);
    expect(lines[4]).toBe('# Access report: patient:P-1');
    expect(run.stdout).toContain('- Integrity: ✔ intact: 14 records in 2 chain(s)');
    expect(run.stdout).not.toContain('UNPROTECTED');
    expect(run.stdout).toContain('- Total accesses: 6');
    expect(run.stdout).toContain('- Unique users: 3');
    const firstRow = lines.findIndex((line) => line.startsWith('| 2026-'));
    expect(lines[firstRow]).toContain(
      '| dr_b | physician | access_patient_record | emergency_treatment | yes | **YES**: unconscious in ER |',
    );
  });

  it('puts the integrity failure at the top of md, json and html, and exits 1', () => {
    const md = tooltrail(['report', 'access', ...RANGE, '--source', tampered], pinned);
    expect(md.code).toBe(1);
    expect(md.stdout.split('\n')[0]).toMatch(/^> \*\*⚠ INTEGRITY FAILURE: 1 problem/);
    expect(md.stdout.split('\n')[3]).toMatch(/^> - `hash_mismatch` chain chainB seq 4/);
    const json = tooltrail(['report', 'access', ...RANGE, '--source', tampered, '--format', 'json'], pinned);
    expect(json.code).toBe(1);
    expect(Object.keys(JSON.parse(json.stdout))[0]).toBe('integrity');
    expect(JSON.parse(json.stdout)).toMatchObject({
      integrity_verified: false,
      integrity: { status: 'tampered', problems: [{ kind: 'hash_mismatch', chain: 'chainB', seq: 4 }] },
    });
    const html = tooltrail(['report', 'access', ...RANGE, '--source', tampered, '--format', 'html'], pinned);
    expect(html.code).toBe(1);
    const body = html.stdout.slice(html.stdout.indexOf('<body>'));
    expect(body.indexOf('INTEGRITY FAILURE')).toBeGreaterThan(0);
    expect(body.indexOf('INTEGRITY FAILURE')).toBeLessThan(body.indexOf('<h1>'));
  });

  it('marks the rows no checkpoint covers UNPROTECTED and fails the report (chain without a final checkpoint)', () => {
    const json = tooltrail(
      ['report', 'access', ...RANGE, '--format', 'json', '--source', unfinished],
      pinned,
    );
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.integrity.status).toBe('tampered');
    expect(report.integrity.protected_to).toEqual({ chainA: 7, chainB: 0 });
    expect(
      report.integrity.problems.map((p: { kind: string; chain: string }) => `${p.kind} ${p.chain}`),
    ).toEqual(expect.arrayContaining(['unprotected chainB', 'unfinished chainB']));
    // Still listed (evidence), but flagged: dr_b's two accesses and nurse_c's are in chainB's unprotected tail.
    expect(report.total_accesses).toBe(6);
    const flagged = report.accesses
      .filter((access: { protected: boolean }) => !access.protected)
      .map((access: { timestamp: string }) => access.timestamp);
    expect(flagged.sort()).toEqual([
      '2026-01-02T12:00:00.000Z',
      '2026-03-15T03:10:00.000Z',
      '2026-06-30T23:59:59.999Z',
    ]);
    const md = tooltrail(['report', 'access', ...RANGE, '--source', unfinished], pinned);
    expect(md.code).toBe(1);
    expect(md.stdout.split('\n')[0]).toMatch(/^> \*\*⚠ INTEGRITY FAILURE: /);
    expect(md.stdout.match(/\| 2026-\S+ \*\*⚠ UNPROTECTED\*\* \|/g)).toHaveLength(3);
    const html = tooltrail(
      ['report', 'access', ...RANGE, '--source', unfinished, '--format', 'html'],
      pinned,
    );
    expect(html.code).toBe(1);
    expect(html.stdout.match(/⚠ UNPROTECTED/g)).toHaveLength(3);
  });

  it('rejects bad dates, formats and flags with exit 2', () => {
    const bad = tooltrail([
      'report',
      'access',
      '--subject',
      'patient:P-1',
      '--from',
      '2026-13-01',
      '--to',
      '2026-06-30',
      '--source',
      trail,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from "2026-13-01" is not a date');
    expect(tooltrail(['report', 'access', ...RANGE, '--format', 'pdf', '--source', trail]).code).toBe(2);
    expect(tooltrail(['report', 'access', ...RANGE, '--colour', '--source', trail]).code).toBe(2);
    expect(tooltrail(['report', 'nope', ...RANGE]).code).toBe(2);
    expect(tooltrail(['report', 'access', '--subject', 'patient:P-1', '--source', trail]).code).toBe(2);
  });

  describe('--format html', () => {
    let htmlFile: string;

    beforeAll(() => {
      htmlFile = join(mkdtempSync(join(tmpdir(), 'tooltrail-html-')), 'report.html');
      const run = tooltrail(
        ['report', 'access', ...RANGE, '--source', trail, '--format', 'html', '--out', htmlFile],
        pinned,
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^✔ intact: 14 records in 2 chain\(s\)/);
      expect(run.stderr).toContain(`wrote ${htmlFile}: 6 access(es) by 3 user(s)`);
    });

    it('is one self-contained file: no script, no external reference, file mode 0600', () => {
      const html = readFileSync(htmlFile, 'utf8');
      expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(statSync(htmlFile).mode & 0o777).toBe(0o600);
      // One bar segment per (day, user): 01-01 dr_a, 01-02 dr_a, 01-02 dr_b, 03-15 dr_b, 06-30 nurse_c.
      expect(html.match(/<rect class="tt-bar"/g)).toHaveLength(5);
      expect(html).toContain('data-day="2026-01-01" data-user="dr_a" data-count="2"');
    });

    it('renders in headless Chromium with the chart in the DOM, and screenshots', () => {
      const chromium = '/usr/bin/chromium';
      if (!existsSync(chromium)) {
        if (process.env.CI === 'true')
          throw new Error('chromium is missing: run scripts/ci-setup/30-chromium.sh');
        console.warn(
          'SKIPPED the Chromium render check: /usr/bin/chromium is missing (scripts/ci-setup/30-chromium.sh)',
        );
        return;
      }
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ];
      const profile = () => `--user-data-dir=${mkdtempSync(join(tmpdir(), 'tooltrail-chromium-'))}`;
      const dom = spawnSync(chromium, [...flags, profile(), '--dump-dom', `file://${htmlFile}`], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(dom.status, dom.stderr).toBe(0);
      expect(dom.stdout).toContain('<svg class="tt-chart"');
      expect(dom.stdout.match(/<rect class="tt-bar"/g)).toHaveLength(5);
      expect(dom.stdout).toContain('<td>nurse_c</td>');
      const png = join(tmpdir(), 'tooltrail-access-report.png');
      const shot = spawnSync(
        chromium,
        [...flags, profile(), `--screenshot=${png}`, '--window-size=1200,900', `file://${htmlFile}`],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(shot.status, shot.stderr).toBe(0);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
      expect(statSync(png).size).toBeGreaterThan(10_000);
    }, 120_000);
  });
});
