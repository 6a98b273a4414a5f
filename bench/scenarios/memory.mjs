// Resident memory over RECORDS audited calls (in a child process), yielding to the event loop every
// YIELD_EVERY calls and, for the tight-loop row, never. The first run's trail is what the verify scenario reads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../lib/child.mjs';
import { noopLogExporter, noopSpanExporter, TOOL_ARGS, toolFn } from '../lib/fixtures.mjs';
import { RECORDS, YIELD_EVERY } from '../lib/options.mjs';
import { mb, round } from '../lib/stats.mjs';

/** Child (`--child calls`): N audited calls, RSS before/after (after a GC), the trail left in `dir`. */
export async function childCalls(dir, records, yieldEvery) {
  const core = await import('@tooltrail/core');
  const audit = core.setupToolAudit({
    exitHooks: false,
    trail: { dir },
    spanExporter: noopSpanExporter,
    logExporter: noopLogExporter,
    onError: () => {},
  });
  const tool = core.auditTool('lookup', toolFn);
  for (let i = 0; i < 10_000; i++) await tool(TOOL_ARGS);
  await new Promise((resolve) => setTimeout(resolve, 50));
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const start = process.hrtime.bigint();
  for (let i = 0; i < records; i++) {
    await tool(TOOL_ARGS);
    if (yieldEvery > 0 && i % yieldEvery === yieldEvery - 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    if ((i & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  // Growth = resident memory still held after the run (after a GC, before shutdown) over the baseline;
  // the peak is reported too (it includes garbage not yet collected).
  globalThis.gc?.();
  const after = process.memoryUsage().rss;
  const stats = audit.stats();
  await audit.shutdown();
  return {
    before: mb(before),
    peak: mb(peak),
    after: mb(after),
    us: (seconds * 1e6) / records,
    stats,
  };
}

/** The yielding run into `out` and `rows`, its trail written to `dir`. */
export function memoryScenario({ out, rows, dir }) {
  // Agents do I/O between tool calls; yielding to the event loop every YIELD_EVERY calls lets the log shipper's
  // timer drain its queue (in a loop of immediately-resolving tools, setTimeout callbacks never run).
  const calls = runChild('calls', [
    '--dir',
    dir,
    '--records',
    String(RECORDS),
    '--yield-every',
    String(YIELD_EVERY),
  ]);
  out.rss_growth_mb = round(calls.after - calls.before, 1);
  out.rss_peak_growth_mb = round(calls.peak - calls.before, 1);
  rows.push([
    `RSS growth, ${RECORDS} calls, MB`,
    round(calls.after - calls.before, 1),
    `${round(calls.before, 0)} → ${round(calls.after, 0)} MB (peak ${round(calls.peak, 0)}), ${round(calls.us)} µs/call; ≤ 50`,
  ]);
}

/** The never-yielding run into `out` and `rows`, on a trail of its own. */
export function tightLoopScenario({ out, rows }) {
  const tightDir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-tight-'));
  try {
    const tight = runChild('calls', ['--dir', tightDir, '--records', String(RECORDS)]);
    out.rss_growth_tight_loop_mb = round(tight.after - tight.before, 1);
    rows.push([
      'RSS growth, tight loop (no yield), MB',
      round(tight.after - tight.before, 1),
      `peak ${round(tight.peak, 0)} MB, ${round(tight.us)} µs/call; overflow read back from the trail: ${tight.stats?.overflowed ?? '?'}`,
    ]);
  } finally {
    rmSync(tightDir, { recursive: true, force: true });
  }
}
