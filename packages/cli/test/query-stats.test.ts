import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tooltrail } from './support/run-cli.js';
import { type Call, writeSealedTrail } from './support/sealed-trail.js';

const archive = join(repoRoot, 'packages/cli/test/fixtures/collector-archive/audit.jsonl');

describe('tooltrail query and stats on the demo trail', () => {
  let demo: string;

  beforeAll(() => {
    demo = join(mkdtempSync(join(tmpdir(), 'tooltrail-query-demo-')), 'trail');
    const env: NodeJS.ProcessEnv = { ...process.env, TOOLTRAIL_DIR: demo, NO_COLOR: '1' };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    execFileSync(process.execPath, [join(repoRoot, 'examples/medical-assistant/src/main.mjs')], { env });
  });

  it('lists the two failed calls, aligned, newest last', () => {
    const run = tooltrail(['query', '--failures', '--source', demo]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^time\s+outcome\s+tool\s+user \(role\)\s+conversation#turn\s+subject\s+duration\s+notes$/,
    );
    expect(lines[1]).toMatch(/FAILED\s+charge_payment\s+billing_kim \(billing\).*payment gateway timeout/);
    expect(lines[2]).toMatch(/FAILED\s+update_treatment\s+nurse_ortiz \(nurse\)/);
    expect(lines[3]).toBe('2 call(s)');
    expect(lines[1]!.indexOf('charge_payment')).toBe(lines[2]!.indexOf('update_treatment'));
  });

  it('filters by subject, user and tool as JSON, sorted by time', () => {
    const run = tooltrail(['query', '--subject', 'P-1001', '--user', 'dr_chen', '--json', '--source', demo]);
    const records = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(records.map((r) => r.tool)).toEqual([
      'access_patient_record',
      'schedule_appointment',
      'update_treatment',
    ]);
    expect(records.every((r) => r.subject === 'patient:P-1001' && r.user === 'dr_chen')).toBe(true);
    const ts = records.map((r) => String(r.ts));
    expect([...ts].sort()).toEqual(ts);
    const charge = JSON.parse(
      tooltrail(['query', '--tool', 'charge_payment', '--json', '--source', demo]).stdout,
    );
    expect(charge.map((r: { success: boolean }) => r.success)).toEqual([false, true]);
  });

  it('gives the same records from the real collector archive as from a trail', () => {
    const run = tooltrail(['query', '--since', '2026-01-01', '--json', '--source', archive]);
    expect(run.code).toBe(0);
    const records = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(11);
    expect(records.filter((r) => r.success === false)).toHaveLength(2);
    expect(records.filter((r) => r.emergency === true).map((r) => r.user)).toEqual(['dr_patel']);
  });

  it('computes per-tool stats: calls, success rate, users', () => {
    const stats = JSON.parse(tooltrail(['stats', '--json', '--source', demo]).stdout).by_tool;
    const byName = Object.fromEntries(stats.map((s: { tool: string }) => [s.tool, s]));
    expect(byName.charge_payment).toMatchObject({
      total_calls: 2,
      failures: 1,
      success_rate: 0.5,
      unique_users: 1,
    });
    expect(byName.access_patient_record).toMatchObject({ total_calls: 3, success_rate: 1, unique_users: 3 });
    expect(stats.reduce((sum: number, s: { total_calls: number }) => sum + s.total_calls, 0)).toBe(11);
    const one = JSON.parse(
      tooltrail(['stats', '--tool', 'update_treatment', '--json', '--source', demo]).stdout,
    );
    expect(one.by_tool).toHaveLength(1);
    expect(one.by_tool[0]).toMatchObject({ tool: 'update_treatment', total_calls: 2, success_rate: 0.5 });
  });

  it('reports accesses to patient:P-1001 with the emergency first and a pinned-key verdict', () => {
    const key = join(demo, 'keys/signing-key.pub.pem');
    const run = tooltrail([
      'report',
      'access',
      '--subject',
      'patient:P-1001',
      '--from',
      '2026-01-01',
      '--to',
      '2099-12-31',
      '--format',
      'json',
      '--public-key',
      key,
      '--source',
      demo,
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      total_accesses: 6,
      unique_users: 3,
      emergency_accesses: 1,
      failed_accesses: 1,
    });
    // 11 tool calls and 4 checkpoints (genesis at seq 0, two periodic, final).
    expect(report.integrity).toMatchObject({ status: 'intact', records: 15, checkpoints: 4, warnings: [] });
    expect(report.accesses[0]).toMatchObject({
      accessed_by: 'dr_patel',
      emergency: true,
      tool: 'access_patient_record',
    });
  });

  it('verifies the report from the real collector archive against the pinned key', () => {
    const key = join(repoRoot, 'packages/cli/test/fixtures/collector-archive/signing-key.pub.pem');
    const args = ['report', 'access', '--subject', 'P-1001', '--from', '2026-01-01', '--to', '2099-12-31'];
    const run = tooltrail([...args, '--format', 'json', '--public-key', key, '--source', archive]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      total_accesses: 6,
      integrity: { status: 'intact', records: 15, checkpoints: 4, problems: [] },
    });
  });

  it('flags the break-the-glass access first among the anomalies and exits 1', () => {
    const run = tooltrail(['anomalies', '--threshold', '3', '--json', '--source', demo]);
    expect(run.code).toBe(1);
    const { anomalies } = JSON.parse(run.stdout);
    expect(anomalies[0]).toMatchObject({ kind: 'emergency', user: 'dr_patel', subject: 'patient:P-1001' });
    expect(anomalies.slice(1).map((a: { kind: string; user: string }) => `${a.kind} ${a.user}`)).toEqual([
      'repeated_access dr_chen',
      'repeated_access nurse_ortiz',
    ]);
  });

  it('exits 2 on bad dates, unknown flags and a query without filters; warns on malformed lines', () => {
    const bad = tooltrail(['query', '--user', 'x', '--since', '03/01/2026', '--source', demo]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since "03/01/2026" is not a date');
    expect(tooltrail(['query', '--user', 'x', '--bogus', '--source', demo]).code).toBe(2);
    expect(tooltrail(['stats', '--bogus', '--source', demo]).code).toBe(2);
    expect(tooltrail(['query', '--source', demo]).code).toBe(2);
    const copy = join(mkdtempSync(join(tmpdir(), 'tooltrail-query-bad-')), 'trail');
    execFileSync('cp', ['-r', demo, copy]);
    const file = readdirSync(copy).find((name) => name.endsWith('.jsonl'))!;
    appendFileSync(join(copy, file), '{not json\n');
    const run = tooltrail(['stats', '--json', '--source', copy]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`warning: .*${file}:16: not JSON`));
    expect(JSON.parse(run.stdout).by_tool.length).toBe(6);
  });
});

describe('tooltrail stats figures over a generated trail', () => {
  it('computes avg, nearest-rank p95 and max per tool, with --since', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-stats-')), 'trail');
    // lookup: durations 1..20 ms, users u0..u3, 2 failures → p95 = ceil(0.95*20) = 19th = 19.
    const calls: Call[] = Array.from({ length: 20 }, (_, i) => ({
      ts: `2026-02-01T10:${String(i).padStart(2, '0')}:00.000Z`,
      tool: 'lookup',
      duration_ms: i + 1,
      user: `u${i % 4}`,
      success: i % 10 !== 0,
    }));
    calls.push({ ts: '2026-01-01T00:00:00.000Z', tool: 'old_tool', duration_ms: 500 });
    writeSealedTrail(dir, 'c1', calls);
    const all = JSON.parse(tooltrail(['stats', '--json', '--source', dir]).stdout).by_tool;
    expect(all.map((s: { tool: string }) => s.tool)).toEqual(['lookup', 'old_tool']);
    expect(all[0]).toEqual({
      tool: 'lookup',
      total_calls: 20,
      failures: 2,
      success_rate: 0.9,
      avg_duration_ms: 10.5,
      p95_duration_ms: 19,
      max_duration_ms: 20,
      unique_users: 4,
    });
    const since = JSON.parse(tooltrail(['stats', '--since', '2026-02-01', '--json', '--source', dir]).stdout);
    expect(since.by_tool.map((s: { tool: string }) => s.tool)).toEqual(['lookup']);
    const human = tooltrail(['stats', '--source', dir]).stdout.split('\n');
    expect(human[0]).toMatch(/^tool\s+calls\s+success\s+avg\s+p95\s+max\s+users$/);
    expect(human[1]).toMatch(/^lookup\s+20\s+90\.0%\s+10\.5ms\s+19ms\s+20ms\s+4$/);
  });
});
