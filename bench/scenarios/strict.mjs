// Strict (fail-closed) mode for bench/run.mjs: every call's intent is fdatasync'ed before the tool runs.
// Concurrent strict calls share one fdatasync (group commit); one call at a time pays a whole sync.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
export async function strictScenario({ core, toolFn, args, rounds, median, exporters, line, quick }) {
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
