// A small agent for the fault tests, run as a child process against the built package (dist/).
// argv[2]: JSON { dir, endpoint, from, to, strictEvery, maxQueue, exitHooks, mode, userSignalHandler }.
// mode: 'run' (shut down at the end), 'hang' (wait for a signal), 'natural' (just end: exit hooks flush).
// Prints `chain <id>` first, then `<i>` (via write(2), unbuffered) after each call i has returned to its caller,
// `refused <i>` when strict mode refused call i (AuditUnavailableError), and `done <stats JSON>` after shutdown.
import { writeSync } from 'node:fs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { AuditUnavailableError, auditTool, setupToolAudit, withAuditContext } from '../../../dist/index.js';

const config = JSON.parse(process.argv[2]);
// stdout is a non-blocking pipe: when the parent reads slowly, write(2) fails with EAGAIN; wait 1 ms and retry
// (still synchronous, so a SIGKILL never loses a line that was reported as written).
const pause = new Int32Array(new SharedArrayBuffer(4));
const say = (text) => {
  const data = Buffer.from(`${text}\n`);
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(1, data, offset, data.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
};

const audit = setupToolAudit({
  trail: { dir: config.dir },
  register: false,
  exitHooks: config.exitHooks === true,
  logExporter: config.endpoint
    ? new OTLPLogExporter({ url: `${config.endpoint}/v1/logs`, timeoutMillis: 1000 })
    : undefined,
  logExport: { maxQueue: config.maxQueue ?? 20_000, retryMillis: 50, maxBatch: 256 },
  checkpoints: { everyRecords: 500 },
  onError: () => undefined,
});
say(`chain ${audit.chainId}`);
if (config.userSignalHandler) {
  // The application's own handler: it must still run, and decide how the process ends.
  process.on('SIGTERM', () => {
    say('user handler');
    setTimeout(() => process.exit(7), 50);
  });
}

const lookup = auditTool('lookup_order', async (args) => ({ order_id: args.order_id, status: 'shipped' }));
let strictExecuted = 0;
const refund = auditTool(
  'refund_order',
  async (args) => {
    strictExecuted++;
    return { refund_id: `R-${args.i}`, status: 'refunded' };
  },
  { strict: true },
);

await withAuditContext({ userId: 'u-fault', conversationId: 'conv-fault', turn: 1 }, async () => {
  for (let i = config.from; i < config.to; i++) {
    const strict = config.strictEvery > 0 && i % config.strictEvery === 0;
    try {
      if (strict) await refund({ i, order_id: `ORD-${i}` });
      else await lookup({ i, order_id: `ORD-${i}` });
      say(String(i));
    } catch (error) {
      if (!(error instanceof AuditUnavailableError)) throw error;
      say(`refused ${i}`);
    }
    // An agent waits on I/O between tool calls; this lets the shipper's timers run.
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
});

if (config.mode === 'natural') {
  say('ending');
} else if (config.mode === 'hang') {
  // Stay alive (e.g. waiting for a signal) with the exit hooks installed.
  say('waiting');
  setInterval(() => undefined, 1000);
} else {
  await audit.shutdown();
  await audit.shutdown(); // idempotent
  say(`done ${JSON.stringify({ ...audit.stats(), strictExecuted })}`);
}
