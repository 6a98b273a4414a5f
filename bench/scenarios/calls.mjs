// The hot loop: a no-op tool in a bare OTel span vs through auditTool and the floor under the write-before-return
// guarantee, in alternating rounds so every row sees the same machine state (the peers run in processes of their
// own: scenarios/peers.mjs).
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareAndAudited } from '../lib/bare-and-audited.mjs';
import { FLOOR_LINE, sha256Hex, toolFn } from '../lib/fixtures.mjs';
import { CALLS, ROUNDS } from '../lib/options.mjs';
import { median, round } from '../lib/stats.mjs';
import { timedRound } from '../lib/timed-round.mjs';

/**
 * The floor under the write-before-return guarantee: `fn` in the bare span plus what no implementation can
 * skip, in the same place (after the tool, before its result is returned): one SHA-256 of a ~700-byte line and
 * its write(2) to a file in the trail directory (no fsync: the default policy syncs in the background).
 */
function floorTool(tracer, fd) {
  return (input) =>
    tracer.startActiveSpan('execute_tool lookup', async (span) => {
      try {
        const result = await toolFn(input);
        sha256Hex(FLOOR_LINE);
        let offset = 0;
        while (offset < FLOOR_LINE.length)
          offset += writeSync(fd, FLOOR_LINE, offset, FLOOR_LINE.length - offset);
        return result;
      } finally {
        span.end();
      }
    });
}

/** bare, audited and floor rounds, alternating; medians in µs per call. */
async function callOverhead() {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-'));
  const { bare, audited, bareTracer, close } = await bareAndAudited(toolFn, dir);
  const floorFd = openSync(join(dir, 'floor.jsonl'), 'a', 0o600);
  const floor = floorTool(bareTracer, floorFd);
  // The floor file starts empty every round (the trail rolls to a new segment every 64 MiB).
  const floorRound = (calls) => {
    ftruncateSync(floorFd, 0);
    return timedRound(floor, calls);
  };
  const warm = Math.min(CALLS, 20_000);
  for (let i = 0; i < 3; i++) {
    await timedRound(bare, warm);
    await timedRound(audited, warm);
    await floorRound(warm);
  }
  const bareUs = [];
  const auditedUs = [];
  const floorUs = [];
  for (let i = 0; i < ROUNDS; i++) {
    bareUs.push(await timedRound(bare, CALLS));
    auditedUs.push(await timedRound(audited, CALLS));
    floorUs.push(await floorRound(CALLS));
  }
  closeSync(floorFd);
  await close();
  rmSync(dir, { recursive: true, force: true });
  return {
    bare: median(bareUs),
    audited: median(auditedUs),
    floor: median(floorUs),
  };
}

/** Runs the calls scenario into `out` and `rows`. */
export async function callsScenario({ out, rows }) {
  const r = await callOverhead();
  out.bare_otel_us_per_call = round(r.bare);
  out.audited_us_per_call = round(r.audited);
  out.overhead_ratio = round(r.audited / r.bare);
  out.floor_us_per_call = round(r.floor);
  out.floor_ratio = round(r.audited / r.floor);
  rows.push(['bare OTel span, µs/call', round(r.bare), `median of ${ROUNDS} × ${CALLS} calls`]);
  rows.push(['auditTool, µs/call', round(r.audited), 'redaction, chain, trail write(2), log record, span']);
  rows.push([
    'overhead ratio',
    round(r.audited / r.bare),
    'audited / bare span (the ≤ 1.5 target is retired)',
  ]);
  rows.push([
    'floor (span + SHA-256 + write(2)), µs/call',
    round(r.floor),
    `ratio ${round(r.floor / r.bare)}: the bare span plus one SHA-256 and one write(2) of a ${FLOOR_LINE.length}-byte line`,
  ]);
  rows.push(['auditTool / floor', out.floor_ratio, 'floor_ratio; target ≤ 2.5']);
}
