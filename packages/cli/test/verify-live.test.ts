import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tooltrail } from './support/run-cli.js';
import { writePublicKey, writeSealedTrail } from './support/sealed-trail.js';

/**
 * A chain still being written has no final checkpoint and an unsigned tail. With a trusted key that is a problem,
 * unless `--live` says chains whose newest checkpoint is younger than the duration are still being written.
 */
describe('tooltrail verify --live', () => {
  let root: string;
  let key: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tooltrail-live-'));
    key = writePublicKey(join(root, 'trusted.pub.pem'));
    const now = new Date().toISOString();
    writeSealedTrail(join(root, 'running'), 'c-run', [{ ts: now }, { ts: now }], { final: false });
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    writeSealedTrail(join(root, 'stale'), 'c-stale', [{ ts: hourAgo }, { ts: hourAgo }], { final: false });
  });

  it('without --live, a chain with no final checkpoint and an unsigned tail is not intact', () => {
    const run = tooltrail(['verify', join(root, 'running'), '--public-key', key, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: false, verdict: 'problems', trusted: true });
    expect(
      report.problems.map((problem: { kind: string; seq: number }) => `${problem.kind} ${problem.seq}`),
    ).toEqual(['unprotected 1', 'unfinished 2']);
  });

  it('with --live longer than the newest checkpoint’s age: intact, the tail and the missing final as warnings', () => {
    const run = tooltrail(['verify', join(root, 'running'), '--public-key', key, '--live', '5m']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^2 warning\(s\):\n {2}unprotected +chain c-run +seq 1 .*not signed yet/);
    expect(run.stdout).toMatch(/unfinished +chain c-run +seq 2 +no final checkpoint yet/);
    expect(run.stdout).toContain('✔ intact: 3 records, 1 chain(s), 1 checkpoint(s), 0 problem(s)');
    expect(run.stdout).toContain(
      '  chain c-run: seq 0..2, protected up to seq 0, 2 unprotected, no final checkpoint, 1 checkpoint(s)',
    );
  });

  it('--live does not excuse a chain whose newest checkpoint is older than the duration', () => {
    const run = tooltrail(['verify', join(root, 'stale'), '--public-key', key, '--live', '5m', '--json']);
    expect(run.code).toBe(1);
    const kinds = JSON.parse(run.stdout).problems.map((problem: { kind: string }) => problem.kind);
    expect(kinds).toEqual(['unprotected', 'unfinished']);
  });

  it('--live without a trusted key still says NOT PROVEN', () => {
    const run = tooltrail(['verify', join(root, 'running'), '--live', '5m']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('? NOT PROVEN (no trusted key)');
  });

  it('rejects a --live that is not a duration (exit 2)', () => {
    expect(tooltrail(['verify', join(root, 'running'), '--public-key', key, '--live', 'soon']).code).toBe(2);
  });
});
