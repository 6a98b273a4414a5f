// `pnpm bench` end to end at a tiny size: every scenario runs, the last line is the one JSON object with every
// key, and each figure a scenario fills is a measurement consistent with its rows (no timing is asserted: speed
// is judged by the bench itself, side by side, never by a test).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript (bench/lib/report.mjs), outside the typed workspace.
import { emptyResult } from '../../bench/lib/report.mjs';
// @ts-expect-error: likewise (bench/peers/state.mjs).
import { peersState } from '../../bench/peers/state.mjs';
import { repoRoot } from '../collector/support/collector.js';

interface BenchRun {
  status: number | null;
  stdout: string;
  stderr: string;
  out: Record<string, unknown>;
  rows: string[];
}

function runBench(args: string[]): BenchRun {
  const child = spawnSync(process.execPath, [join(repoRoot, 'bench', 'run.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = child.stdout.trim().split('\n');
  let out: Record<string, unknown> = {};
  try {
    out = JSON.parse(lines[lines.length - 1] ?? '');
  } catch {
    // Left empty: the assertions below say what was printed.
  }
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, out, rows: lines.slice(0, -1) };
}

const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;
const peersInstalled = peersState().state === 'installed';

describe('pnpm bench, every scenario at a tiny size', () => {
  let run: BenchRun;

  beforeAll(() => {
    // The packages are built by `pnpm test` before vitest runs; the bench imports their dist.
    run = runBench(['--quick', '--calls', '300', '--rounds', '1', '--records', '2000']);
  }, 300_000);

  it('exits 0 and prints exactly the documented keys as one JSON object on the last line', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(Object.keys(run.out)).toEqual(Object.keys(emptyResult()));
  });

  it('fills the call figures, with floor_ratio the ratio of its two rows', () => {
    const out = run.out;
    for (const key of ['bare_otel_us_per_call', 'audited_us_per_call', 'floor_us_per_call', 'floor_ratio'])
      expect(positive(out[key]), key).toBe(true);
    const ratio = (out.audited_us_per_call as number) / (out.floor_us_per_call as number);
    expect(Math.abs(ratio - (out.floor_ratio as number)) / ratio).toBeLessThan(0.02);
    expect(run.rows.some((row) => row.startsWith('auditTool / floor'))).toBe(true);
  });

  it('fills the I/O, strict, redaction and memory figures', () => {
    const out = run.out;
    for (const key of [
      'io_bare_us_per_call',
      'io_audited_us_per_call',
      'io_added_ratio',
      'io_cold_ratio',
      'strict_concurrent_ratio',
      'redact_mb_per_s',
      'verify_peak_rss_mb',
    ])
      expect(positive(out[key]), key).toBe(true);
    const strict = out.strict_us_per_call as Record<string, unknown>;
    for (const key of ['concurrent', 'default_concurrent', 'sequential', 'bare_fdatasync'])
      expect(positive(strict[key]), `strict_us_per_call.${key}`).toBe(true);
    expect(typeof out.rss_growth_mb).toBe('number');
  });

  it('verifies the trail the memory run wrote, alone and against its witness archive', () => {
    // The verify scenario throws (exit ≠ 0) unless the trail verifies intact and the witness saw every record.
    const out = run.out;
    expect(positive(out.verify_records_per_s)).toBe(true);
    expect(positive(out.witness_records_per_s)).toBe(true);
    expect(positive(out.witness_peak_rss_mb)).toBe(true);
    expect(positive(out.verify_vs_sha256sum)).toBe(true);
    // `openssl dgst -sha256` is the floor verify is held against (scripts/ci-setup/10-bench-tools.sh installs it).
    expect(positive(out.verify_vs_openssl)).toBe(true);
    const records = Number(/verify (\d+) records/.exec(run.stdout)?.[1]);
    // 2,000 tool calls of the memory run plus its warm-up, each chain opened by a signed genesis checkpoint.
    expect(records).toBeGreaterThan(2000);
  });

  it(
    peersInstalled
      ? 'times every installed peer beside auditTool'
      : 'says how to install the peers when bench/peers is not installed',
    () => {
      const out = run.out;
      if (peersInstalled) {
        const vs = out.vs_peers as Record<string, unknown>;
        for (const key of ['span_pino_chain', 'langfuse', 'openllmetry'])
          expect(positive(vs[key]), key).toBe(true);
        expect(out.vs_pino_chain).toBe(vs.span_pino_chain);
        expect(out.vs_langfuse).toBe(vs.langfuse);
      } else {
        expect(run.stdout).toMatch(
          /peers\s+-\s+(not installed|out of date \(.+\)): `pnpm bench:peers` installs them/,
        );
        expect(out.vs_peers).toBeNull();
        expect(out.vs_pino_chain).toBeNull();
      }
    },
  );
});

describe('pnpm bench --only', () => {
  it('runs only the scenarios asked for and leaves every other key null', () => {
    const run = runBench(['--quick', '--only', 'redact', '--rounds', '1']);
    expect(run.status, run.stderr).toBe(0);
    expect(positive(run.out.redact_mb_per_s)).toBe(true);
    const filled = Object.entries(run.out)
      .filter(([, value]) => value !== null)
      .map(([key]) => key);
    expect(filled).toEqual(['redact_mb_per_s']);
  }, 120_000);
});

describe('bench/peers install state', () => {
  it('is missing without node_modules, stale when a pinned peer is absent or at another version, else installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tooltrail-peers-state-'));
    try {
      const pin = (deps: Record<string, string>) =>
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: deps }));
      const install = (name: string, version: string) => {
        mkdirSync(join(dir, 'node_modules', name), { recursive: true });
        writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
      };
      pin({ pino: '10.4.0', '@langfuse/otel': '4.6.1' });
      expect(peersState(dir)).toEqual({ state: 'missing', outdated: [] });
      install('pino', '10.4.0');
      expect(peersState(dir)).toEqual({ state: 'stale', outdated: ['@langfuse/otel@4.6.1'] });
      install('@langfuse/otel', '4.5.0');
      expect(peersState(dir)).toEqual({ state: 'stale', outdated: ['@langfuse/otel@4.6.1'] });
      install('@langfuse/otel', '4.6.1');
      expect(peersState(dir)).toEqual({ state: 'installed', outdated: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
