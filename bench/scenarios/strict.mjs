// Strict (fail-closed) mode: every call's intent is fdatasync'ed before the tool runs. Concurrent strict calls
// share one fdatasync (group commit); one call at a time pays a whole sync.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOOR_LINE, noopLogExporter, noopSpanExporter, TOOL_ARGS, toolFn } from '../lib/fixtures.mjs';
import { QUICK, ROUNDS } from '../lib/options.mjs';
import { median, round } from '../lib/stats.mjs';

/** `conversations` concurrent loops of `perConversation` sequential calls; µs of wall time per call. */
async function concurrentRound(tool, args, conversations, perConversation) {
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: conversations }, async () => {
      for (let i = 0; i < perConversation; i++) await tool(args);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e3 / (conversations * perConversation);
}

/** µs per write(2) + fdatasync(2) of `line` to the open file `fd`, mean over `count`. */
function bareFdatasyncRound(fd, line, count) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    writeSync(fd, line);
    fdatasyncSync(fd);
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / count;
}

/**
 * Default vs strict mode with `conversations` concurrent conversations (alternating rounds), then strict one
 * call at a time next to a bare write + fdatasync of one line, all on a trail in the system temp directory.
 */
async function strictRounds({ core, args, rounds, exporters, line, quick }) {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-strict-'));
  const audit = core.setupToolAudit({
    exitHooks: false,
    trail: { dir: join(dir, 'trail') },
    spanExporter: exporters.span,
    logExporter: exporters.log,
    onError: () => {},
  });
  const conversations = 64;
  const perConversation = quick ? 10 : 40;
  const normal = core.auditTool('lookup', toolFn);
  const strict = core.auditTool('lookup', toolFn, { strict: true });
  try {
    await concurrentRound(normal, args, conversations, perConversation);
    await concurrentRound(strict, args, conversations, perConversation);
    const defaultUs = [];
    const strictUs = [];
    for (let r = 0; r < rounds; r++) {
      defaultUs.push(await concurrentRound(normal, args, conversations, perConversation));
      strictUs.push(await concurrentRound(strict, args, conversations, perConversation));
    }
    // One strict call at a time, alternating with bare syncs of one line, so both see the same disk.
    const sequentialCalls = quick ? 50 : 200;
    const sequentialUs = [];
    const fdatasyncUs = [];
    const fd = openSync(join(dir, 'fdatasync.jsonl'), 'a', 0o600);
    try {
      for (let r = 0; r < Math.min(rounds, 5); r++) {
        sequentialUs.push(await concurrentRound(strict, args, 1, sequentialCalls));
        fdatasyncUs.push(bareFdatasyncRound(fd, line, sequentialCalls));
      }
    } finally {
      closeSync(fd);
    }
    return {
      conversations,
      calls: conversations * perConversation,
      default: median(defaultUs),
      strict: median(strictUs),
      sequential: median(sequentialUs),
      fdatasync: median(fdatasyncUs),
    };
  } finally {
    await audit.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the strict scenario into `out` and `rows`. */
export async function strictScenario({ out, rows }) {
  const core = await import('@tooltrail/core');
  const r = await strictRounds({
    core,
    args: TOOL_ARGS,
    rounds: ROUNDS,
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
