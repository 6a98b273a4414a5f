// The peers (bench/peers, outside the pnpm workspace: `pnpm bench:peers` installs them): what a user would
// build or pick instead of auditTool. Each peer runs in a child process of its own, in rounds alternating with
// the bare span and auditTool in that same process: a library's import can slow everything else in its process
// (OpenLLMetry's SDK adds µs to every audited call), so no peer's libraries are loaded where another row is timed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bareAndAudited } from '../lib/bare-and-audited.mjs';
import { runChild } from '../lib/child.mjs';
import { noopSpanExporter, sha256Hex, toolFn } from '../lib/fixtures.mjs';
import { benchDir, load } from '../lib/load.mjs';
import { CALLS, ROUNDS, YIELD_EVERY } from '../lib/options.mjs';
import { median, round } from '../lib/stats.mjs';
import { timedRound } from '../lib/timed-round.mjs';

const peersDir = join(benchDir, 'peers');
const peersModule = () => import(pathToFileURL(join(peersDir, 'peers.mjs')).href);
const peersStateModule = () => import(pathToFileURL(join(peersDir, 'state.mjs')).href);

/** One timed round of `peer`, its `before`/`after` hooks around it. */
async function peerRound(peer, calls) {
  peer.before?.();
  try {
    return await timedRound(peer.fn, calls);
  } finally {
    peer.after?.();
  }
}

/** Child (`--child peer --peer KEY`): bare span, auditTool and the peer in alternating rounds; medians in µs. */
export async function childPeer(key) {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-peer-'));
  const { bare, audited, bareTracer, close } = await bareAndAudited(toolFn, dir);
  const { createPeer } = await peersModule();
  const peer = await createPeer(key, {
    api: await load('@opentelemetry/api'),
    tracer: bareTracer,
    toolFn,
    dir,
    sha256Hex,
    noopSpanExporter,
  });
  try {
    const warm = Math.min(CALLS, 20_000);
    for (let i = 0; i < 3; i++) {
      await timedRound(bare, warm);
      await timedRound(audited, warm);
      await peerRound(peer, warm);
    }
    const us = { bare: [], audited: [], peer: [] };
    for (let i = 0; i < ROUNDS; i++) {
      us.bare.push(await timedRound(bare, CALLS));
      us.audited.push(await timedRound(audited, CALLS));
      us.peer.push(await peerRound(peer, CALLS));
    }
    return {
      key,
      label: peer.label,
      note: peer.note,
      bare: median(us.bare),
      audited: median(us.audited),
      peer: median(us.peer),
    };
  } finally {
    await peer.close();
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every peer in its own child process into `out` and `rows`, or says how to install them. */
export async function peersScenario({ out, rows }) {
  const { state, outdated } = (await peersStateModule()).peersState();
  if (state !== 'installed') {
    const why = state === 'missing' ? 'not installed' : `out of date (${outdated.join(', ')})`;
    rows.push(['peers', '-', `${why}: \`pnpm bench:peers\` installs them (bench/peers, npm ci)`]);
    return;
  }
  const { PEER_KEYS } = await peersModule();
  const options = [
    '--calls',
    String(CALLS),
    '--rounds',
    String(ROUNDS),
    '--yield-every',
    String(YIELD_EVERY),
  ];
  const results = PEER_KEYS.map((key) => runChild('peer', ['--peer', key, ...options]));
  out.peers_us_per_call = Object.fromEntries(results.map((r) => [r.key, round(r.peer)]));
  out.vs_peers = Object.fromEntries(results.map((r) => [r.key, round(r.audited / r.peer)]));
  out.vs_pino_chain = out.vs_peers.span_pino_chain;
  out.vs_langfuse = out.vs_peers.langfuse;
  for (const r of results) {
    rows.push([
      `peer: ${r.label}, µs/call`,
      round(r.peer),
      `auditTool ${round(r.audited / r.peer)}× (${round(r.audited)} µs, bare span ${round(r.bare)} µs, same process); ${r.note}`,
    ]);
  }
  rows.push(['auditTool / (span + pino sync + chain)', out.vs_pino_chain, 'vs_pino_chain; target ≤ 1.0']);
  rows.push(['auditTool / Langfuse observe', out.vs_langfuse, 'vs_langfuse; target ≤ 1.0']);
}
