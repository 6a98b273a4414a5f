import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyPinned } from '../support/verify-pinned.js';
import { trailRecords } from './support/agent.js';

const SCRIPT = fileURLToPath(new URL('./support/signal-owner-agent.mjs', import.meta.url));

describe('SIGTERM when the application has its own handler', () => {
  it('flushes, runs the handler once, and leaves the decision to exit to the application', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tooltrail-fault-owner-'));
    const child = spawn(process.execPath, [SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const lines: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const waiters: Array<{ text: string; resolve: () => void }> = [];
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
      for (const waiter of [...waiters]) if (lines.includes(waiter.text)) waiter.resolve();
    });
    const waitFor = (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => {
          if (lines.includes(text)) resolve();
          else waiters.push({ text, resolve });
        }),
        exited.then(() => {
          if (!lines.includes(text)) throw new Error(`child ended before "${text}": ${stderr}`);
        }),
      ]);

    await waitFor('ready');
    child.kill('SIGTERM');
    await waitFor('flushed');
    // The flush is over and tooltrail did not end the process: it is still alive and ours to stop.
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    const records = trailRecords(dir);
    expect(records.at(-1)).toMatchObject({ type: 'checkpoint', final: true });
    expect(records.filter((record) => record.type === 'tool_call')).toHaveLength(1);
    expect((await verifyPinned(dir)).ok).toBe(true);
    child.kill('SIGKILL');
    // Ended by our SIGKILL, not by a re-raised SIGTERM; and the application's handler ran exactly once.
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lines.filter((line) => line.startsWith('handled '))).toEqual(['handled 1']);
    expect(stderr).toBe('');
  }, 30_000);
});
