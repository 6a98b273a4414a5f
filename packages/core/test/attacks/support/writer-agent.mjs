// An agent for the writer attacks, run as a child process against the built package (dist/), so that a hang
// in setup or in a call is a child the test kills, not a test runner that never returns.
// argv[2]: JSON { dir, calls, maxFileBytes?, strict?, exporter?, plant? }.
// plant: planted after setup, before the calls: 'fifo-next-segment' (a FIFO at this chain's segment 1).
// Prints `setup`, `call <i>` (or `refused <i>`) after each call returned, `done <stats JSON>` after shutdown.
import { execFileSync } from 'node:child_process';
import { writeSync } from 'node:fs';
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

if (config.plant === 'fifo-next-segment') {
  execFileSync('mkfifo', [join(config.dir, `${audit.chainId}.000001.jsonl`)]);
}

const lookup = auditTool('lookup_order', async (args) => ({ order_id: args.order_id, status: 'shipped' }));
for (let i = 0; i < config.calls; i++) {
  try {
    await lookup({ order_id: `ORD-${i}`, pad: 'x'.repeat(200) });
    say(`call ${i}`);
  } catch (error) {
    if (!(error instanceof AuditUnavailableError)) throw error;
    say(`refused ${i}`);
  }
  // An agent waits on I/O between tool calls: the shipper's timers (and replay) run here.
  await new Promise((resolve) => setTimeout(resolve, 1));
}
const started = Date.now();
await audit.shutdown();
say(`done ${JSON.stringify({ ...audit.stats(), shutdownMillis: Date.now() - started })}`);
