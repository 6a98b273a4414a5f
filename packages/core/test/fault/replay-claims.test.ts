import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit } from '../../src/index.js';

/** An exporter that keeps the bodies it acknowledges. */
function memoryExporter(): LogRecordExporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    export(logs: ReadableLogRecord[], done) {
      for (const log of logs) lines.push(String(log.body));
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
}

/**
 * A chain written by a process that had no log exporter (nothing shipped, no position); `crashed`: it never
 * wrote its final checkpoint.
 */
async function oldChain(dir: string, calls: number, crashed = false): Promise<string> {
  const audit = setupToolAudit({
    trail: { dir },
    register: false,
    exitHooks: false,
    onError: () => undefined,
  });
  const lookup = auditTool('lookup_order', async (args: { i: number }) => ({ order_id: `ORD-${args.i}` }));
  for (let i = 0; i < calls; i++) await lookup({ i });
  if (!crashed) await audit.shutdown();
  return audit.chainId;
}

function startShipping(dir: string, exporter: LogRecordExporter) {
  return setupToolAudit({
    trail: { dir },
    register: false,
    exitHooks: false,
    logExporter: exporter,
    onError: () => undefined,
  });
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'tooltrail-fault-replay-'));

describe('replaying older chains on startup', () => {
  it('replays a chain whose lock names this pid with another process token (a restarted container)', async () => {
    const dir = tempDir();
    const old = await oldChain(dir, 30);
    // PID 1 before and after a container restart: same pid, different process.
    writeFileSync(join(dir, `${old}.lock`), `${process.pid} 0123456789abcdef\n`);
    const exporter = memoryExporter();
    const audit = setupToolAudit({
      trail: { dir },
      register: false,
      exitHooks: false,
      logExporter: exporter,
      onError: () => undefined,
    });
    await audit.forceFlush();
    expect(audit.stats().replayed).toBe(32); // the genesis checkpoint, 30 calls and the final checkpoint
    expect(JSON.parse(readFileSync(join(dir, `${old}.shipped`), 'utf8'))).toMatchObject({
      seq: 31,
      final: true,
    });
    expect(existsSync(join(dir, `${old}.lock`))).toBe(false);
    await audit.shutdown();

    // A later start skips the chain: its position says its final checkpoint was shipped.
    const again = memoryExporter();
    const later = setupToolAudit({
      trail: { dir },
      register: false,
      exitHooks: false,
      logExporter: again,
      onError: () => undefined,
    });
    await later.forceFlush();
    expect(later.stats().replayed).toBe(0);
    await later.shutdown();
    // The first process's own records plus the replayed chain, each exactly once across both processes.
    const all = [...exporter.lines, ...again.lines].map(
      (line) => JSON.parse(line) as { chain: string; seq: number },
    );
    const keys = all.map((record) => `${record.chain}#${record.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('leaves alone a chain whose lock is held by another live process', async () => {
    const dir = tempDir();
    const old = await oldChain(dir, 5);
    writeFileSync(join(dir, `${old}.lock`), `${process.ppid} feedfacefeedface\n`);
    const audit = setupToolAudit({
      trail: { dir },
      register: false,
      exitHooks: false,
      logExporter: memoryExporter(),
      onError: () => undefined,
    });
    await audit.forceFlush();
    expect(audit.stats().replayed).toBe(0);
    expect(existsSync(join(dir, `${old}.shipped`))).toBe(false);
    await audit.shutdown();
  });

  it('remembers where a crashed chain ends, and resumes reading there on the next start', async () => {
    const dir = tempDir();
    const old = await oldChain(dir, 20, true);
    const segment = join(dir, `${old}.000000.jsonl`);
    const first = startShipping(dir, memoryExporter());
    await first.forceFlush();
    expect(first.stats().replayed).toBe(21); // the genesis checkpoint and 20 calls
    await first.shutdown();
    const saved = JSON.parse(readFileSync(join(dir, `${old}.shipped`), 'utf8'));
    expect(saved).toMatchObject({ seq: 20, final: false, segment: 0, offset: statSync(segment).size });

    // The chain grows (its writer had no lock), and the saved seq is forced back: a reader that scanned from the
    // start would ship all 26 records again; one that seeks ships the 5 new lines only.
    const lines = readFileSync(segment, 'utf8').trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    for (let seq = 21; seq < 26; seq++) appendFileSync(segment, `${JSON.stringify({ ...last, seq })}\n`);
    writeFileSync(join(dir, `${old}.shipped`), JSON.stringify({ ...saved, seq: -1 }));
    const exporter = memoryExporter();
    const second = startShipping(dir, exporter);
    await second.forceFlush();
    expect(second.stats().replayed).toBe(5);
    expect(
      exporter.lines.map((line) => (JSON.parse(line) as { seq: number }).seq).filter((seq) => seq >= 21),
    ).toEqual([21, 22, 23, 24, 25]);
    await second.shutdown();
  });
});
