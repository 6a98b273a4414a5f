// A tool with one HTTP round trip to a server on 127.0.0.1 (a child process, keep-alive), the smallest I/O a
// real tool does: bare span vs auditTool, alternating rounds, and the µs the audit adds there vs the hot loop.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareAndAudited } from '../lib/bare-and-audited.mjs';
import { CALLS, ROUNDS } from '../lib/options.mjs';
import { median, round } from '../lib/stats.mjs';
import { timedRound } from '../lib/timed-round.mjs';

/** A keep-alive HTTP server in a child process on 127.0.0.1; its port and how to stop it. */
async function startServer() {
  const server = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('{"id":"obs-77","status":"ok","count":5}')); });
       s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise((resolve, reject) => {
    server.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    server.once('error', reject);
  });
  return { port, stop: () => server.kill() };
}

/** The I/O tool: one GET over a keep-alive agent (one socket), the JSON body parsed. */
function observationFetcher(port, agent) {
  return (input) =>
    new Promise((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path: `/observations/${input.patientId}`, method: 'GET', agent },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve(JSON.parse(body)));
        },
      );
      request.on('error', reject);
      request.end();
    });
}

/** bare vs audited rounds of the I/O tool, alternating; medians in µs per call. */
async function ioOverhead() {
  const server = await startServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-io-'));
  const { bare, audited, close } = await bareAndAudited(observationFetcher(server.port, agent), dir);
  const calls = Math.max(500, Math.round(CALLS / 20));
  try {
    for (let i = 0; i < 2; i++) {
      await timedRound(bare, calls);
      await timedRound(audited, calls);
    }
    const bareUs = [];
    const auditedUs = [];
    for (let i = 0; i < ROUNDS; i++) {
      bareUs.push(await timedRound(bare, calls));
      auditedUs.push(await timedRound(audited, calls));
    }
    return { bare: median(bareUs), audited: median(auditedUs), calls };
  } finally {
    agent.destroy();
    server.stop();
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the io scenario into `out` and `rows`; `hotLoopAddedUs` (from the calls scenario) gives the ratio. */
export async function ioScenario({ out, rows, hotLoopAddedUs }) {
  const r = await ioOverhead();
  out.io_bare_us_per_call = round(r.bare);
  out.io_audited_us_per_call = round(r.audited);
  out.io_overhead_ratio = round(r.audited / r.bare);
  rows.push([
    'tool with one HTTP round trip: bare, µs',
    round(r.bare),
    `127.0.0.1 keep-alive, median of ${ROUNDS} × ${r.calls} calls`,
  ]);
  rows.push(['  the same through auditTool, µs', round(r.audited), `ratio ${round(r.audited / r.bare)}`]);
  if (hotLoopAddedUs !== null) {
    out.io_added_ratio = round((r.audited - r.bare) / hotLoopAddedUs);
    rows.push([
      '  µs added there / µs added in the hot loop',
      out.io_added_ratio,
      `io_added_ratio: ${round(r.audited - r.bare)} vs ${round(hotLoopAddedUs)} µs; target ≤ 1.5`,
    ]);
  }
}
