// A child for exit-hooks-owner.test.ts: an application that owns SIGTERM and decides itself when to end.
// argv[2]: trail directory. Prints `ready` once a call is recorded, `handled <n>` each time its own SIGTERM
// handler runs, and `flushed` once tooltrail's flush is over (one macrotask later, so a re-raise would have
// happened by then). It never exits on its own: only a signal it does not handle ends it.
import { writeSync } from 'node:fs';
import { auditTool, setupToolAudit } from '../../../dist/index.js';

const pause = new Int32Array(new SharedArrayBuffer(4));
const say = (text) => {
  for (;;) {
    try {
      writeSync(1, `${text}\n`);
      return;
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
};

const audit = setupToolAudit({ trail: { dir: process.argv[2] }, register: false, onError: () => undefined });
let handled = 0;
process.on('SIGTERM', () => {
  say(`handled ${++handled}`);
  // forceFlush() during shutdown resolves when tooltrail's signal-time shutdown is done.
  void audit.forceFlush().then(() => setTimeout(() => say('flushed'), 0));
});
await auditTool('lookup_order', async () => ({ status: 'shipped' }))();
setInterval(() => undefined, 1000);
say('ready');
