// The peers (bench/peers, outside the pnpm workspace: `pnpm bench:peers` installs them): what a user would
// build or pick instead of auditTool, timed in the calls scenario's alternating rounds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { noopSpanExporter, sha256Hex, toolFn } from '../lib/fixtures.mjs';
import { benchDir, load } from '../lib/load.mjs';
import { round } from '../lib/stats.mjs';
import { timedRound } from '../lib/timed-round.mjs';

const peersDir = join(benchDir, 'peers');

/** Whether `bench/peers/node_modules` exists. */
export const peersInstalled = existsSync(join(peersDir, 'node_modules'));

/** The peers around the bench tool, writing to `dir`; `tracer` is the bare row's tracer. */
export async function loadPeers(tracer, dir) {
  const { createPeers } = await import(pathToFileURL(join(peersDir, 'peers.mjs')).href);
  return createPeers({
    api: await load('@opentelemetry/api'),
    tracer,
    toolFn,
    dir,
    sha256Hex,
    noopSpanExporter,
  });
}

/** One timed round of `peer`, its `before`/`after` hooks around it. */
export async function peerRound(peer, calls) {
  peer.before?.();
  try {
    return await timedRound(peer.fn, calls);
  } finally {
    peer.after?.();
  }
}

/** The peer rows and ratios of the calls scenario's result `r`, or how to install the peers. */
export function peerRows(r, out, rows) {
  if (r.peers.length > 0) {
    out.peers_us_per_call = Object.fromEntries(r.peers.map((peer) => [peer.key, round(peer.us)]));
    const peer = (key) => r.peers.find((entry) => entry.key === key);
    out.vs_pino_chain = round(r.audited / peer('span_pino_chain').us);
    out.vs_langfuse = round(r.audited / peer('langfuse').us);
    for (const entry of r.peers) {
      rows.push([
        `peer: ${entry.label}, µs/call`,
        round(entry.us),
        `auditTool ${round(r.audited / entry.us)}×; ${entry.note}`,
      ]);
    }
    rows.push(['auditTool / (span + pino sync + chain)', out.vs_pino_chain, 'vs_pino_chain; target ≤ 1.0']);
    rows.push(['auditTool / Langfuse observe', out.vs_langfuse, 'vs_langfuse; target ≤ 1.0']);
  } else if (!peersInstalled) {
    rows.push(['peers', '-', 'not installed: `pnpm bench:peers` installs them (bench/peers, npm ci)']);
  }
}
