import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/make-trail.js';

const AGENT = fileURLToPath(new URL('./support/writer-agent.mjs', import.meta.url));
/** A child still running after this is hung: it is killed and the test fails. */
const BOUND_MILLIS = 15_000;

interface AgentRun {
  hung: boolean;
  lines: string[];
  /** Calls that returned to the agent (results or strict refusals). */
  returned: number;
  refused: number;
  stats: Record<string, unknown> & {
    lost: number;
    replayed: number;
    maxCallMillis: number;
    shutdownMillis: number;
    errors: Record<string, number>;
  };
}

/** Runs writer-agent.mjs (against dist/) in a child process, killed after BOUND_MILLIS. */
function runAgent(config: Record<string, unknown>): Promise<AgentRun> {
  const child = spawn(process.execPath, [AGENT, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    out += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    err += text;
  });
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, BOUND_MILLIS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      const lines = out.split('\n').filter(Boolean);
      const done = lines.find((line) => line.startsWith('done '));
      if (!hung && !done) reject(new Error(`agent ended without "done": ${out}\n${err}`));
      resolve({
        hung,
        lines,
        returned: lines.filter((line) => /^(call|refused) /.test(line)).length,
        refused: lines.filter((line) => line.startsWith('refused ')).length,
        stats: done
          ? JSON.parse(done.slice(5))
          : { lost: -1, replayed: -1, maxCallMillis: -1, shutdownMillis: -1, errors: {} },
      });
    });
  });
}

/**
 * A trail directory with an older, crashed-looking chain of two segments (written without an exporter, so
 * nothing of it was shipped): returns the directory and that chain's id.
 */
async function trailWithOldChain(): Promise<{ dir: string; old: string }> {
  const dir = tempDir('tooltrail-writer-attack-');
  const run = await runAgent({ dir, calls: 12, exporter: false, maxFileBytes: 4096 });
  expect(run.hung).toBe(false);
  const segments = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
  expect(segments.length).toBeGreaterThanOrEqual(2);
  return { dir, old: segments[0]!.replace(/\.\d{6}\.jsonl$/, '') };
}

/** The next agent: 20 calls, an exporter that acknowledges everything, replay of the older chain on. */
const nextAgent = (dir: string, extra: Record<string, unknown> = {}) =>
  runAgent({ dir, calls: 20, ...extra });

/** What an attacker plants at a file's name: reading it blocks for ever, or never ends. */
const HOSTILE_FILES: Array<[string, (path: string) => void]> = [
  ['a FIFO', (path) => execFileSync('mkfifo', [path])],
  ['a link to /dev/zero', (path) => symlinkSync('/dev/zero', path)],
];

describe('the writer against hostile files in its trail directory (each run bounded in a child process)', () => {
  it('does not hang on a FIFO named like a segment of an older chain; the other segments are replayed', async () => {
    const { dir, old } = await trailWithOldChain();
    const last = readdirSync(dir).filter((name) => name.startsWith(old)).length;
    // A FIFO named like the chain's next segment (its real segments all come before it).
    execFileSync('mkfifo', [join(dir, `${old}.${String(last).padStart(6, '0')}.jsonl`)]);
    const run = await nextAgent(dir);
    expect(run.hung).toBe(false);
    expect(run.returned).toBe(20);
    expect(run.stats.lost).toBe(0);
    // Every record of the older chain (genesis checkpoint, 12 calls, final checkpoint) is still replayed.
    expect(run.stats.replayed).toBe(14);
  }, 60_000);

  it('skips a directory named like a segment of an older chain instead of retrying it until shutdown times out', async () => {
    const { dir, old } = await trailWithOldChain();
    const last = readdirSync(dir).filter((name) => name.startsWith(old)).length;
    mkdirSync(join(dir, `${old}.${String(last).padStart(6, '0')}.jsonl`));
    const run = await nextAgent(dir);
    expect(run.hung).toBe(false);
    expect(run.returned).toBe(20);
    expect(run.stats.replayed).toBe(14);
    // Before: every flush retried the failing read until its 30 s deadline.
    expect(run.stats.shutdownMillis).toBeLessThan(5_000);
  }, 60_000);

  it.each(HOSTILE_FILES)(
    'does not hang on %s at an older chain’s .shipped cursor (the chain is shipped from the start)',
    async (_, plant) => {
      const { dir, old } = await trailWithOldChain();
      plant(join(dir, `${old}.shipped`));
      const run = await nextAgent(dir);
      expect(run.hung).toBe(false);
      expect(run.returned).toBe(20);
      expect(run.stats.replayed).toBe(14);
    },
    60_000,
  );

  it.each(HOSTILE_FILES)(
    'does not hang on %s at an older chain’s .lock (no process holds it: taken over)',
    async (_, plant) => {
      const { dir, old } = await trailWithOldChain();
      plant(join(dir, `${old}.lock`));
      const run = await nextAgent(dir);
      expect(run.hung).toBe(false);
      expect(run.returned).toBe(20);
      expect(run.stats.lost).toBe(0);
      // No process made that lock (claimChain writes a small regular file): it is taken over, the chain replayed.
      expect(run.stats.replayed).toBe(14);
      expect(run.stats.shutdownMillis).toBeLessThan(5_000);
    },
    60_000,
  );

  it('ignores a .shipped cursor with a negative offset instead of retrying its read until shutdown times out', async () => {
    const { dir, old } = await trailWithOldChain();
    writeFileSync(
      join(dir, `${old}.shipped`),
      JSON.stringify({ seq: 3, final: false, segment: 0, offset: -5 }),
    );
    const run = await nextAgent(dir);
    expect(run.hung).toBe(false);
    expect(run.stats.shutdownMillis).toBeLessThan(5_000);
    // The position is not trusted: the chain is read from its start, records after seq 3 are shipped.
    expect(run.stats.replayed).toBe(10);
  }, 60_000);

  it('does not hang on a FIFO planted at its own next segment: calls return and the records are counted lost', async () => {
    const dir = tempDir('tooltrail-writer-attack-');
    const run = await runAgent({ dir, calls: 20, maxFileBytes: 4096, plant: 'fifo-next-segment' });
    expect(run.hung).toBe(false);
    expect(run.returned).toBe(20);
    expect(run.stats.lost).toBeGreaterThan(0);
    expect(
      run.lines.some((line) => line.includes('not a regular file') || line.includes('could not write')),
    ).toBe(true);
  }, 60_000);

  it('strict mode refuses the calls instead of hanging on a FIFO at its own next segment', async () => {
    const dir = tempDir('tooltrail-writer-attack-');
    const run = await runAgent({
      dir,
      calls: 20,
      maxFileBytes: 4096,
      plant: 'fifo-next-segment',
      strict: true,
    });
    expect(run.hung).toBe(false);
    expect(run.returned).toBe(20);
    expect(run.refused).toBeGreaterThan(0);
  }, 60_000);

  it('reads at most 4 KiB of an older chain’s .shipped cursor: a 1 GiB one is ignored, not read whole', async () => {
    const { dir, old } = await trailWithOldChain();
    // Sparse: no disk used. Read whole, it blocked the agent's thread for seconds and took a gigabyte.
    const cursor = join(dir, `${old}.shipped`);
    writeFileSync(cursor, JSON.stringify({ seq: 13, final: true }));
    truncateSync(cursor, 1 << 30);
    const run = await nextAgent(dir);
    expect(run.hung).toBe(false);
    expect(run.stats.replayed).toBe(14);
    expect(run.stats.maxCallMillis + run.stats.shutdownMillis).toBeLessThan(1_500);
  }, 60_000);

  it.each(['dir-next-segment', 'socket-next-segment', 'null-link-next-segment'])(
    'counts the records lost, and keeps the calls returning, with %s',
    async (plant) => {
      const dir = tempDir('tooltrail-writer-attack-');
      const run = await runAgent({ dir, calls: 20, maxFileBytes: 4096, plant });
      expect(run.hung).toBe(false);
      expect(run.returned).toBe(20);
      expect(run.stats.lost).toBeGreaterThan(0);
      expect(run.stats.errors.trail_write).toBe(run.stats.lost);
    },
    60_000,
  );

  it('reports a FIFO at its own .shipped cursor and keeps exporting', async () => {
    const dir = tempDir('tooltrail-writer-attack-');
    const run = await runAgent({ dir, calls: 20, plant: 'fifo-own-cursor' });
    expect(run.hung).toBe(false);
    expect(run.returned).toBe(20);
    expect(run.stats.lost).toBe(0);
    expect(run.stats.exported).toBe(22);
    expect(run.stats.errors.ship_cursor).toBeGreaterThan(0);
  }, 60_000);

  it('writes nothing into a trail directory swapped for a link while it runs: the records are counted lost', async () => {
    const dir = tempDir('tooltrail-writer-attack-');
    const run = await runAgent({ dir, calls: 20, maxFileBytes: 4096, plant: 'dir-swapped-for-link' });
    expect(run.hung).toBe(false);
    expect(run.returned).toBe(20);
    expect(run.stats.lost).toBe(22);
    expect(readdirSync(`${dir}.moved`).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
  }, 60_000);
});
