#!/usr/bin/env node
// tooltrail benchmarks: `pnpm bench` (builds first) or `node bench/run.mjs [--quick] [--only a,b] [--records N]`.
//
// Every scenario runs in this one process run (the memory and verify scenarios in child processes of it, so
// their RSS is their own). Timed scenarios warm up first and report the median of several rounds; the bare
// and audited rounds alternate, so both see the same machine state. The last line of output is one JSON object.
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { strictScenario } from './strict.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const coreDir = join(here, '..', 'packages', 'core');
const requireFromCore = createRequire(join(coreDir, 'package.json'));
const load = (name) => import(pathToFileURL(requireFromCore.resolve(name)).href);
// The peers live outside the pnpm workspace (bench/peers, its own lockfile): `pnpm bench:peers` installs them.
const peersDir = join(here, 'peers');
const peersInstalled = existsSync(join(peersDir, 'node_modules'));

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const QUICK = flag('quick');
const ONLY = option('only', '').split(',').filter(Boolean);
const wanted = (name) => ONLY.length === 0 || ONLY.includes(name);
// Calls per timed round, rounds, and the size of the memory / verify runs.
const CALLS = Number(option('calls', QUICK ? 20_000 : 100_000));
const ROUNDS = Number(option('rounds', QUICK ? 5 : 9));
const RECORDS = Number(option('records', QUICK ? 100_000 : 1_000_000));
const YIELD_EVERY = Number(option('yield-every', 100));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mb = (bytes) => bytes / (1024 * 1024);
const round = (value, digits = 2) => (value === null ? null : Number(value.toFixed(digits)));

// The typical tool call: a small argument object with an identifier, a small result object.
const TOOL_ARGS = { patientId: 'p-1029', query: 'latest blood pressure readings', limit: 5 };
const toolFn = async (input) => ({ id: 'obs-77', status: 'ok', count: input.limit });

const noopSpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};
const noopLogExporter = {
  export: (_records, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

async function timedRound(fn, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    await fn(TOOL_ARGS);
    // Agents do I/O between tool calls: yield to the event loop every YIELD_EVERY calls (in both paths), so
    // timers run (the batch span processor, the log shipper); a pure microtask loop would starve them.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e3;
  // Let timers (batch processors, the log shipper, the fsync timer) run between rounds, as an agent's I/O would.
  await new Promise((resolve) => setImmediate(resolve));
  return elapsed / calls;
}

/** A ~700-byte trail line (the size of the bench tool's record), newline included. */
const FLOOR_LINE = Buffer.from(`{"floor":"${'x'.repeat(686)}"}\n`);
// crypto.hash (Node >= 20.12) is the one-shot SHA-256 the audited path uses; older Node: createHash.
const sha256Hex = crypto.hash
  ? (data) => crypto.hash('sha256', data, 'hex')
  : (data) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * The floor under the write-before-return guarantee: the bare span plus what no implementation can skip, in the
 * same place (after the tool, before its result is returned): one SHA-256 of a ~700-byte line and its write(2)
 * to a file in the trail directory (no fsync: the default policy syncs in the background).
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

/**
 * The two sides of every comparison: `fn` in a plain OTel span (BasicTracerProvider + BatchSpanProcessor, no-op
 * exporter), and `fn` through auditTool with the full pipeline writing its trail to `dir`.
 */
async function bareAndAudited(fn, dir) {
  const core = await import('@tooltrail/core');
  const { BasicTracerProvider, BatchSpanProcessor } = await load('@opentelemetry/sdk-trace-base');
  // register: true installs the global provider and the AsyncLocalStorage context manager, which the bare
  // span below uses too (startActiveSpan → context.with), so both paths share the context machinery.
  const audit = core.setupToolAudit({
    exitHooks: false,
    trail: { dir },
    spanExporter: noopSpanExporter,
    logExporter: noopLogExporter,
    onError: () => {},
  });
  const bareProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(noopSpanExporter)],
  });
  const bareTracer = bareProvider.getTracer('bench');
  const bare = (input) =>
    bareTracer.startActiveSpan('execute_tool lookup', async (span) => {
      try {
        return await fn(input);
      } finally {
        span.end();
      }
    });
  return {
    bare,
    audited: core.auditTool('lookup', fn),
    bareTracer,
    close: async () => {
      await audit.shutdown();
      await bareProvider.shutdown();
    },
  };
}

/**
 * bare OTel span vs the same tool through auditTool, the floor and (when installed) the peers, alternating
 * rounds: every row sees the same machine state.
 */
async function callOverhead(withPeers) {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-'));
  const { bare, audited, bareTracer, close } = await bareAndAudited(toolFn, dir);
  let peers = { peers: [], close: async () => {} };
  if (withPeers) {
    const { createPeers } = await import(pathToFileURL(join(peersDir, 'peers.mjs')).href);
    peers = await createPeers({
      api: await load('@opentelemetry/api'),
      tracer: bareTracer,
      toolFn,
      dir,
      sha256Hex,
      noopSpanExporter,
    });
  }
  const peerRound = async (peer, calls) => {
    peer.before?.();
    try {
      return await timedRound(peer.fn, calls);
    } finally {
      peer.after?.();
    }
  };
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
    for (const peer of peers.peers) await peerRound(peer, warm);
  }
  const bareUs = [];
  const auditedUs = [];
  const floorUs = [];
  const peerUs = peers.peers.map(() => []);
  for (let i = 0; i < ROUNDS; i++) {
    bareUs.push(await timedRound(bare, CALLS));
    auditedUs.push(await timedRound(audited, CALLS));
    floorUs.push(await floorRound(CALLS));
    for (const [at, peer] of peers.peers.entries()) peerUs[at].push(await peerRound(peer, CALLS));
  }
  closeSync(floorFd);
  await peers.close();
  await close();
  rmSync(dir, { recursive: true, force: true });
  return {
    bare: median(bareUs),
    audited: median(auditedUs),
    floor: median(floorUs),
    bareUs,
    auditedUs,
    floorUs,
    peers: peers.peers.map((peer, at) => ({
      key: peer.key,
      label: peer.label,
      note: peer.note,
      us: median(peerUs[at]),
    })),
  };
}

/**
 * Context for the ratio: the same comparison for a tool that does one HTTP round trip to a service on 127.0.0.1
 * (a server in a child process, keep-alive), the smallest I/O a real tool does. Bare span vs auditTool, alternating.
 */
async function ioOverhead() {
  const http = await import('node:http');
  const { spawn } = await import('node:child_process');
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
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const fetchObservation = (input) =>
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
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-io-'));
  const { bare, audited, close } = await bareAndAudited(fetchObservation, dir);
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
    server.kill();
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A ~10 KB nested payload, ~50 keys, mixed PII (emails, phones, SSNs, cards, IBAN, tokens) and plain text. */
function redactionPayload() {
  const sentence = (i) =>
    `Visit ${i}: patient reports improved sleep, BP ${118 + i}/79, discussed adherence and diet; ` +
    `follow-up by phone +1 415 555 01${10 + i} or e-mail jane.doe${i}@example.org, no adverse events noted. `;
  const visit = (i) => ({
    visitId: `v-${i}`,
    date: `2026-11-0${i + 1}`,
    notes: Array.from({ length: 10 }, (_, j) => sentence(i * 10 + j)).join(''),
    clinician: { name: 'Dr. Rivera', contact: 'rivera@clinic.example, +1 (212) 555-0199' },
    vitals: { systolic: 120 + i, diastolic: 80, pulse: 61 },
  });
  return {
    patient: {
      name: 'Jane Doe',
      ssn: '123-45-6789',
      dob: '1980-04-12',
      address: { street: '1 Main St', city: 'Springfield', zip: '01101' },
      contact: { email: 'jane.doe@example.org', phone: '+1 415 555 0100' },
    },
    billing: {
      card: '4111 1111 1111 1111',
      iban: 'DE89 3704 0044 0532 0130 00',
      memo: 'card 4111-1111-1111-1111 on file, call +44 20 7946 0958, SSN 123-45-6789 verified',
    },
    auth: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2ln' },
    visits: Array.from({ length: 3 }, (_, i) => visit(i)),
    summary: Array.from({ length: 20 }, (_, i) => sentence(100 + i)).join(''),
  };
}

async function redaction() {
  const { Redactor } = await import('@tooltrail/core/internal');
  const redactor = new Redactor();
  const payload = redactionPayload();
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  const iterations = QUICK ? 500 : 2000;
  for (let i = 0; i < iterations; i++) redactor.redactValue(payload);
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) redactor.redactValue(payload);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(mb(bytes * iterations) / seconds);
  }
  return { mbPerS: median(rates), payloadBytes: bytes, keys: countKeys(payload) };
}

function countKeys(value) {
  if (Array.isArray(value)) return value.reduce((n, item) => n + countKeys(item), 0);
  if (value && typeof value === 'object')
    return Object.values(value).reduce((n, item) => n + 1 + countKeys(item), 0);
  return 0;
}

function runChild(mode, extra) {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child', mode, ...extra],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`bench child ${mode} failed with status ${child.status}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Child: N audited calls, RSS before/after (after a GC), the trail left for the verify child. */
async function childCalls(dir, records, yieldEvery) {
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

/** The public key the calls child generated into the trail, pinned (only a pinned key makes a trail intact). */
function benchPublicKey(dir) {
  return readFileSync(join(dir, 'keys', 'signing-key.pub.pem'), 'utf8');
}

/**
 * Writes the trail's records as the collector's file exporter archives them: OTLP JSON lines of 512 audit log
 * records each (body = the record line), in `<dir>-archive/archive.jsonl`.
 */
function writeArchive(dir) {
  const archiveDir = `${dir}-archive`;
  mkdirSync(archiveDir, { mode: 0o700 });
  const file = join(archiveDir, 'archive.jsonl');
  const fd = openSync(file, 'w', 0o600);
  let batch = [];
  const flush = () => {
    if (batch.length === 0) return;
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
          scopeLogs: [
            {
              scope: { name: 'tooltrail.audit' },
              logRecords: batch.map((line) => ({ body: { stringValue: line } })),
            },
          ],
        },
      ],
    };
    writeSync(fd, `${JSON.stringify(request)}\n`);
    batch = [];
  };
  for (const name of readdirSync(dir)
    .filter((entry) => entry.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      batch.push(line);
      if (batch.length === 512) flush();
    }
  }
  flush();
  closeSync(fd);
  return archiveDir;
}

/** Child: verify a trail from disk (against the archive as witness with `--witness`); wall time and peak RSS. */
async function childVerify(dir, witnessDir) {
  const { verifyTrail } = await import('@tooltrail/core');
  let witness;
  if (witnessDir) {
    const cli = join(here, '..', 'packages', 'cli', 'dist', 'index.js');
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

/** Wall time of `command ...args files` over the trail's segment files, page cache warm (median of 3). */
function hashToolSeconds(dir, command, args = []) {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => join(dir, name));
  execFileSync(command, [...args, ...files], { stdio: 'ignore' }); // warm the page cache like the verifier's run
  const times = [];
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    execFileSync(command, [...args, ...files], { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const seconds = median(times);
  const bytes = files.reduce((n, file) => n + statSync(file).size, 0);
  return { seconds, bytes, files: files.length };
}

async function main() {
  if (flag('child')) {
    const mode = option('child');
    const result =
      mode === 'calls'
        ? await childCalls(option('dir'), Number(option('records')), Number(option('yield-every', '0')))
        : await childVerify(option('dir'), option('witness', undefined));
    console.log(JSON.stringify(result));
    return;
  }

  const rows = [];
  const out = {
    bare_otel_us_per_call: null,
    audited_us_per_call: null,
    overhead_ratio: null,
    floor_us_per_call: null,
    io_bare_us_per_call: null,
    io_audited_us_per_call: null,
    io_overhead_ratio: null,
    redact_mb_per_s: null,
    verify_records_per_s: null,
    verify_vs_sha256sum: null,
    rss_growth_mb: null,
    rss_peak_growth_mb: null,
    rss_growth_tight_loop_mb: null,
    verify_peak_rss_mb: null,
    witness_records_per_s: null,
    witness_peak_rss_mb: null,
    floor_ratio: null,
    vs_pino_chain: null,
    vs_langfuse: null,
    io_added_ratio: null,
    verify_vs_openssl: null,
    strict_concurrent_ratio: null,
    peers_us_per_call: null,
    strict_us_per_call: null,
  };
  let hotLoopAddedUs = null;

  const withPeers = peersInstalled && (ONLY.length === 0 || ONLY.includes('peers'));
  if (wanted('calls') || wanted('peers')) {
    const r = await callOverhead(withPeers);
    hotLoopAddedUs = r.audited - r.bare;
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

  if (wanted('io')) {
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

  if (wanted('strict')) {
    const core = await import('@tooltrail/core');
    const r = await strictScenario({
      core,
      toolFn,
      args: TOOL_ARGS,
      rounds: ROUNDS,
      median,
      exporters: { span: noopSpanExporter, log: noopLogExporter },
      line: FLOOR_LINE,
      quick: QUICK,
    });
    out.strict_concurrent_ratio = round(r.strict / r.default);
    out.strict_us_per_call = {
      concurrent: round(r.strict),
      default_concurrent: round(r.default),
      sequential: round(r.sequential),
      bare_fdatasync: round(r.fdatasync),
    };
    rows.push([
      `default mode, ${r.conversations} concurrent conversations, µs/call`,
      round(r.default),
      `${r.calls} calls a round, median of ${ROUNDS}`,
    ]);
    rows.push([
      `strict mode, ${r.conversations} concurrent conversations, µs/call`,
      round(r.strict),
      `strict_concurrent_ratio ${out.strict_concurrent_ratio}; target ≤ 3 (group commit)`,
    ]);
    rows.push(['strict mode, one call at a time, µs/call', round(r.sequential), 'one fdatasync per call']);
    rows.push([
      '  bare write(2) + fdatasync of one line, µs',
      round(r.fdatasync),
      `${FLOOR_LINE.length} bytes, the trail's file system`,
    ]);
  }

  if (wanted('redact')) {
    const r = await redaction();
    out.redact_mb_per_s = round(r.mbPerS, 1);
    rows.push(['redaction, MB/s', round(r.mbPerS, 1), `${r.payloadBytes} B payload, ${r.keys} keys; ≥ 100`]);
  }

  if (wanted('memory') || wanted('verify')) {
    const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-trail-'));
    try {
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
      if (wanted('verify')) {
        const v = runChild('verify', ['--dir', dir]);
        const sha = hashToolSeconds(dir, 'sha256sum');
        const openssl = hashToolSeconds(dir, 'openssl', ['dgst', '-sha256']);
        if (!v.ok) throw new Error(`the bench trail did not verify: ${JSON.stringify(v.problems)}`);
        const perS = v.records / v.seconds;
        out.verify_records_per_s = Math.round(perS);
        out.verify_vs_sha256sum = round(v.seconds / sha.seconds);
        out.verify_vs_openssl = round(v.seconds / openssl.seconds);
        out.verify_peak_rss_mb = round(v.peakMb, 1);
        rows.push([
          `verify ${v.records} records, records/s`,
          Math.round(perS),
          `${round(v.seconds)} s, ${round(mb(sha.bytes), 0)} MB in ${sha.files} files; ≥ 300000`,
        ]);
        rows.push([
          'verify / sha256sum time',
          round(v.seconds / sha.seconds),
          `sha256sum ${round(sha.seconds)} s`,
        ]);
        rows.push([
          'verify / openssl dgst -sha256 time',
          out.verify_vs_openssl,
          `verify_vs_openssl: openssl ${round(openssl.seconds)} s; target ≤ 3`,
        ]);
        rows.push(['verify peak RSS, MB', round(v.peakMb, 1), 'bounded-memory verify']);
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
          rows.push(['verify + witness peak RSS, MB', round(w.peakMb, 1), '≈ 33 bytes per witnessed record']);
        } finally {
          rmSync(archiveDir, { recursive: true, force: true });
        }
      }
      if (wanted('memory') && !flag('no-tight')) {
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => String(row[1]).length));
  console.log(`tooltrail bench${QUICK ? ' (quick)' : ''}: node ${process.version}`);
  for (const [name, value, note] of rows) {
    console.log(`${name.padEnd(width)}  ${String(value).padStart(valueWidth)}  ${note}`);
  }
  console.log(JSON.stringify(out));
}

await main();
