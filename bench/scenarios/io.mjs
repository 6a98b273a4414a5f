// A tool with one HTTP round trip to a server on 127.0.0.1 (a child process, keep-alive), the smallest I/O a
// real tool does, next to the no-op tool of the hot loop: bare span, auditTool and the floor for each, in
// interleaved chunks (shuffled each cycle), so all six rows and both "µs added" figures see the same machine state.
import { mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareAndAudited } from '../lib/bare-and-audited.mjs';
import { FLOOR_LINE, sha256Hex, toolFn } from '../lib/fixtures.mjs';
import { CALLS, ROUNDS } from '../lib/options.mjs';
import { median, round } from '../lib/stats.mjs';
import { timedRound } from '../lib/timed-round.mjs';
import { startObservationServer } from './io-server.mjs';

const IO_CHUNK = 100;
const HOT_CHUNK = 1_000;

/**
 * The floor (see calls.mjs) with its own work — one SHA-256 and one write(2) of the line — timed inside the
 * call into `samples`: the same work after a no-op await and after an HTTP round trip.
 */
function timedFloorTool(tracer, fd, fn, samples) {
  return (input) =>
    tracer.startActiveSpan('execute_tool lookup', async (span) => {
      try {
        const result = await fn(input);
        const start = process.hrtime.bigint();
        sha256Hex(FLOOR_LINE);
        let offset = 0;
        while (offset < FLOOR_LINE.length)
          offset += writeSync(fd, FLOOR_LINE, offset, FLOOR_LINE.length - offset);
        samples.push(Number(process.hrtime.bigint() - start) / 1e3);
        return result;
      } finally {
        span.end();
      }
    });
}

function shuffled(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Six tools, chunk by chunk: µs per call of every chunk, and the floor work's own µs per call. */
async function ioOverhead() {
  const server = await startObservationServer();
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-io-'));
  const { bare, audited, pair, bareTracer, close } = await bareAndAudited(server.fetchObservation, dir);
  const hot = pair(toolFn);
  const fd = openSync(join(dir, 'floor.jsonl'), 'a', 0o600);
  const work = { hot: [], io: [] };
  const tools = {
    io_bare: [bare, IO_CHUNK],
    io_audited: [audited, IO_CHUNK],
    io_floor: [timedFloorTool(bareTracer, fd, server.fetchObservation, work.io), IO_CHUNK],
    hot_bare: [hot.bare, HOT_CHUNK],
    hot_audited: [hot.audited, HOT_CHUNK],
    hot_floor: [timedFloorTool(bareTracer, fd, toolFn, work.hot), HOT_CHUNK],
  };
  const us = Object.fromEntries(Object.keys(tools).map((key) => [key, []]));
  // As many I/O calls per row as the earlier ROUNDS × calls rounds.
  const cycles = Math.ceil((ROUNDS * Math.max(500, Math.round(CALLS / 20))) / IO_CHUNK);
  try {
    for (let cycle = -3; cycle < cycles; cycle++) {
      for (const key of shuffled(Object.keys(tools))) {
        const [tool, calls] = tools[key];
        const perCall = await timedRound(tool, calls);
        if (cycle >= 0) us[key].push(perCall);
      }
      if (cycle === -1) work.hot.length = work.io.length = 0; // warm-up over
    }
  } finally {
    server.stop();
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
  // µs added: the median over cycles of each cycle's own difference (both sides of it ran moments apart).
  const added = (key, base) => median(us[key].map((value, at) => value - us[base][at]));
  return {
    cycles,
    io: { bare: median(us.io_bare), audited: median(us.io_audited), floor: median(us.io_floor) },
    addedIo: added('io_audited', 'io_bare'),
    addedHot: added('hot_audited', 'hot_bare'),
    floorAddedIo: added('io_floor', 'io_bare'),
    floorAddedHot: added('hot_floor', 'hot_bare'),
    workIo: median(work.io),
    workHot: median(work.hot),
  };
}

/** Runs the io scenario into `out` and `rows`. */
export async function ioScenario({ out, rows }) {
  const r = await ioOverhead();
  out.io_bare_us_per_call = round(r.io.bare);
  out.io_audited_us_per_call = round(r.io.audited);
  out.io_overhead_ratio = round(r.io.audited / r.io.bare);
  out.io_added_ratio = round(r.addedIo / r.addedHot);
  out.io_floor_us_per_call = round(r.io.floor);
  out.io_floor_added_ratio = round(r.floorAddedIo / r.floorAddedHot);
  out.io_cold_ratio = round(r.workIo / r.workHot);
  rows.push([
    'tool with one HTTP round trip: bare, µs',
    round(r.io.bare),
    `127.0.0.1 keep-alive, median of ${r.cycles} chunks × ${IO_CHUNK} calls, interleaved with the rows below`,
  ]);
  rows.push(['  the same through auditTool, µs', round(r.io.audited), `ratio ${out.io_overhead_ratio}`]);
  rows.push([
    '  the floor (span + SHA-256 + write(2)), µs',
    round(r.io.floor),
    `ratio ${round(r.io.floor / r.io.bare)}`,
  ]);
  rows.push([
    '  µs added there / µs added in the hot loop',
    out.io_added_ratio,
    `io_added_ratio: ${round(r.addedIo)} vs ${round(r.addedHot)} µs (no-op tool, same chunks); target ≤ 1.5`,
  ]);
  rows.push([
    '  the same for the floor',
    out.io_floor_added_ratio,
    `io_floor_added_ratio: ${round(r.floorAddedIo)} vs ${round(r.floorAddedHot)} µs`,
  ]);
  rows.push([
    '  floor work after the round trip / after a no-op',
    out.io_cold_ratio,
    `io_cold_ratio: SHA-256 + write(2) timed inside the call, ${round(r.workIo)} vs ${round(r.workHot)} µs`,
  ]);
}
