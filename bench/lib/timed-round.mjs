// One timed round of sequential calls: the unit every call scenario measures.
import { TOOL_ARGS } from './fixtures.mjs';
import { YIELD_EVERY } from './options.mjs';

/** µs per call of `calls` sequential `await fn(TOOL_ARGS)`, yielding to the event loop every YIELD_EVERY calls. */
export async function timedRound(fn, calls) {
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
