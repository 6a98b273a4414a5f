// Verify the memory run's trail from disk (in a child process): records/s, against sha256sum and OpenSSL's
// SHA-256 over the same files, peak RSS; then the same with the collector archive as witness.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runChild } from '../lib/child.mjs';
import { benchDir } from '../lib/load.mjs';
import { mb, median, round } from '../lib/stats.mjs';
import { writeArchive } from './witness-archive.mjs';

/** The public key the calls child generated into the trail, pinned (only a pinned key makes a trail intact). */
function benchPublicKey(dir) {
  return readFileSync(join(dir, 'keys', 'signing-key.pub.pem'), 'utf8');
}

/** Child (`--child verify`): verify a trail from disk (against the archive as witness); wall time, peak RSS. */
export async function childVerify(dir, witnessDir) {
  // The SDK-free entry the CLI verifies through: a verifying process loads no OpenTelemetry package.
  const { verifyTrail } = await import('@tooltrail/core/verify');
  let witness;
  if (witnessDir) {
    const cli = join(benchDir, '..', 'packages', 'cli', 'dist', 'index.js');
    const { ArchiveSource } = await import(pathToFileURL(cli).href);
    witness = new ArchiveSource(witnessDir).verifiable(() => {}).input;
  }
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = process.hrtime.bigint();
  const report = await verifyTrail(dir, {
    publicKeys: [benchPublicKey(dir)],
    witness,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    ok: report.ok,
    records: report.records,
    checkpoints: report.checkpoints,
    problems: report.problems.slice(0, 3),
    witnessed: report.witness?.witnessed ?? null,
    seconds,
    peakMb: mb(peak),
  };
}

/** The trail's segment files and their total size. */
function segmentFiles(dir) {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => join(dir, name));
  return { files, bytes: files.reduce((n, file) => n + statSync(file).size, 0) };
}

/** Wall time of one `command ...args files` run, in seconds. */
function timeTool(files, command, args) {
  const start = process.hrtime.bigint();
  execFileSync(command, [...args, ...files], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Wall time of `command ...args files` over the trail's segment files, page cache warm (median of 3). */
function hashToolSeconds(files, command, args = []) {
  execFileSync(command, [...args, ...files], { stdio: 'ignore' }); // warm the page cache like the verifier's run
  return median([0, 1, 2].map(() => timeTool(files, command, args)));
}

/** Runs the verify scenario over the trail in `dir` into `out` and `rows`. */
export function verifyScenario({ out, rows, dir }) {
  const { files, bytes } = segmentFiles(dir);
  const sha = { seconds: hashToolSeconds(files, 'sha256sum') };
  // Verify and OpenSSL side by side: three runs each, taken in turns so that both see the same machine (a verify
  // run right after the memory run's writes, alone against OpenSSL's warmed median, measured the write-back too).
  const dgst = ['dgst', '-sha256'];
  timeTool(files, 'openssl', dgst); // warm the page cache
  const runs = [];
  const opensslTimes = [];
  for (let i = 0; i < 3; i++) {
    runs.push(runChild('verify', ['--dir', dir]));
    opensslTimes.push(timeTool(files, 'openssl', dgst));
  }
  const failed = runs.find((run) => !run.ok);
  if (failed) throw new Error(`the bench trail did not verify: ${JSON.stringify(failed.problems)}`);
  const v = {
    ...runs[0],
    seconds: median(runs.map((run) => run.seconds)),
    peakMb: Math.max(...runs.map((run) => run.peakMb)),
  };
  const openssl = { seconds: median(opensslTimes) };
  const perS = v.records / v.seconds;
  out.verify_records_per_s = Math.round(perS);
  out.verify_vs_sha256sum = round(v.seconds / sha.seconds);
  out.verify_vs_openssl = round(v.seconds / openssl.seconds);
  out.verify_peak_rss_mb = round(v.peakMb, 1);
  rows.push([
    `verify ${v.records} records, records/s`,
    Math.round(perS),
    `${round(v.seconds)} s (median of 3), ${round(mb(bytes), 0)} MB in ${files.length} files; ≥ 300000`,
  ]);
  rows.push(['verify / sha256sum time', round(v.seconds / sha.seconds), `sha256sum ${round(sha.seconds)} s`]);
  rows.push([
    'verify / openssl dgst -sha256 time',
    out.verify_vs_openssl,
    `verify_vs_openssl: openssl ${round(openssl.seconds)} s (median of 3, in turns with verify); target ≤ 3`,
  ]);
  rows.push(['verify peak RSS, MB', round(v.peakMb, 1), 'bounded-memory verify (the highest of the 3 runs)']);
  const archiveDir = writeArchive(dir);
  try {
    const w = runChild('verify', ['--dir', dir, '--witness', archiveDir]);
    if (!w.ok || w.witnessed !== w.records)
      throw new Error(`the witness cross-check failed: ${JSON.stringify(w.problems)}`);
    out.witness_records_per_s = Math.round(w.records / w.seconds);
    out.witness_peak_rss_mb = round(w.peakMb, 1);
    rows.push([
      `verify + witness (archive), records/s`,
      Math.round(w.records / w.seconds),
      `${round(w.seconds)} s: the archive read and indexed, every record compared`,
    ]);
    rows.push([
      'verify + witness peak RSS, MB',
      round(w.peakMb, 1),
      'index: 1 bit per witnessed record in memory, hash pages beyond 1 MiB in a temporary file',
    ]);
  } finally {
    rmSync(archiveDir, { recursive: true, force: true });
  }
}
