// An agent for the writer attacks, run as a child process against the built package (dist/), so that a hang
// in setup or in a call is a child the test kills, not a test runner that never returns.
// argv[2]: JSON { dir, calls, maxFileBytes?, strict?, exporter?, plant? }.
// plant: planted after setup, before the calls: a FIFO, directory, socket or link to /dev/null at this chain's
// segment 1 (`<kind>-next-segment`), a FIFO at its cursor, or the trail directory moved and a link put in its place.
// Prints `setup`, `call <i>` (or `refused <i>`) after each call returned, `done <stats JSON>` after shutdown.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, renameSync, symlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AuditUnavailableError, auditTool, setupToolAudit } from '../../../dist/index.js';

const config = JSON.parse(process.argv[2]);
const say = (text) => writeSync(1, `${text}\n`);

/** Acknowledges every batch at once. */
const exporter = {
  export(logs, done) {
    say(`exported ${logs.length}`);
    done({ code: 0 });
  },
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
};

let audit;
try {
  audit = setupToolAudit({
    trail: { dir: config.dir, maxFileBytes: config.maxFileBytes },
    register: false,
    exitHooks: false,
    strict: config.strict === true,
    logExporter: config.exporter === false ? undefined : exporter,
    logExport: { retryMillis: 50 },
    onError: (error) => say(`error ${String(error.message).slice(0, 140)}`),
  });
} catch (error) {
  say(`setup threw ${error.name} ${error.message}`);
  process.exit(0);
}
say('setup');

const nextSegment = join(config.dir, `${audit.chainId}.000001.jsonl`);
if (config.plant === 'fifo-next-segment') execFileSync('mkfifo', [nextSegment]);
if (config.plant === 'dir-next-segment') mkdirSync(nextSegment);
if (config.plant === 'null-link-next-segment') symlinkSync('/dev/null', nextSegment);
if (config.plant === 'socket-next-segment') {
  const server = createServer().listen(nextSegment);
  await once(server, 'listening');
  server.unref();
}
if (config.plant === 'fifo-own-cursor')
  execFileSync('mkfifo', [join(config.dir, `${audit.chainId}.shipped`)]);
if (config.plant === 'dir-swapped-for-link') {
  renameSync(config.dir, `${config.dir}.moved`);
  symlinkSync(`${config.dir}.moved`, config.dir);
}

const lookup = auditTool('lookup_order', async (args) => ({ order_id: args.order_id, status: 'shipped' }));
/** The longest gap between the end of one call and the end of the next: replay work on the agent's thread shows here. */
let maxCallMillis = 0;
for (let i = 0; i < config.calls; i++) {
  const began = performance.now();
  try {
    await lookup({ order_id: `ORD-${i}`, pad: 'x'.repeat(200) });
    say(`call ${i}`);
  } catch (error) {
    if (!(error instanceof AuditUnavailableError)) throw error;
    say(`refused ${i}`);
  }
  // An agent waits on I/O between tool calls: the shipper's timers (and replay) run here.
  await new Promise((resolve) => setTimeout(resolve, 1));
  maxCallMillis = Math.max(maxCallMillis, performance.now() - began);
}
// idleMillis: the agent then waits (timers every 2 ms); the longest gap between them is work on its thread.
let maxIdleGapMillis = 0;
if (config.idleMillis) {
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    maxIdleGapMillis = Math.max(maxIdleGapMillis, now - last);
    last = now;
  }, 2);
  await new Promise((resolve) => setTimeout(resolve, config.idleMillis));
  clearInterval(tick);
}
const started = Date.now();
await audit.shutdown();
say(
  `done ${JSON.stringify({ ...audit.stats(), maxCallMillis, maxIdleGapMillis, shutdownMillis: Date.now() - started })}`,
);
