import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePublicKey, writeSealedTrail } from './support/sealed-trail.js';
import { bin } from './support/source-fixtures.js';

/** What a reader like `head -c 100` leaves: the first bytes, then a closed pipe. */
const KEEP = 100;
/** A Linux pipe buffer: output beyond it cannot all be written before the reader closes. */
const PIPE_BUFFER = 64 * 1024;

let dir: string;
let key: string;

/**
 * Runs `tooltrail <args> | head -c <closeAfter>` in bash (head reads that many bytes and exits, closing the pipe),
 * or, without `closeAfter`, reads everything. Returns the CLI's exit status (not head's), its stderr and the bytes
 * read.
 */
function piped(
  args: string[],
  closeAfter?: number,
): Promise<{ code: number | null; stderr: string; bytes: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of ['TOOLTRAIL_SOURCE', 'TOOLTRAIL_DIR', 'TOOLTRAIL_PUBLIC_KEY_FILE']) delete env[name];
  const [command, commandArgs] =
    closeAfter === undefined
      ? [process.execPath, [bin, ...args]]
      : [
          'bash',
          [
            '-c',
            `"$0" "$@" | head -c ${closeAfter}; exit "\${PIPESTATUS[0]}"`,
            process.execPath,
            bin,
            ...args,
          ],
        ];
  return new Promise((done, fail) => {
    const child = spawn(command, commandArgs, { env, cwd: mkdtempSync(join(tmpdir(), 'tooltrail-cwd-')) });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr, bytes }));
  });
}

/** Every command that can print a lot, on a trail big enough that each prints more than a pipe buffer. */
const COMMANDS: Array<[string, () => string[]]> = [
  ['export fhir', () => ['export', 'fhir', dir, '--public-key', key]],
  ['query', () => ['query', dir, '--user', 'dr_a', '--public-key', key]],
  ['query --json', () => ['query', dir, '--user', 'dr_a', '--json', '--public-key', key]],
  ['timeline', () => ['timeline', 'conv_big', dir, '--public-key', key]],
  ['timeline --json', () => ['timeline', 'conv_big', dir, '--json', '--public-key', key]],
  ['stats --json', () => ['stats', dir, '--json']],
  ['verify --json', () => ['verify', dir, '--json', '--public-key', key]],
  ['verify', () => ['verify', dir, '--public-key', key]],
  [
    'report access',
    () => ['report', 'access', dir, '--subject', 'patient:P-1', '--from', '2026-01-01', '--to', '2026-12-31'],
  ],
  ['anomalies', () => ['anomalies', dir]],
  ['anomalies --json', () => ['anomalies', dir, '--json']],
];

describe('a reader that closes early (`tooltrail … | head -c 100`) ends the command quietly', () => {
  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-closed-reader-')), 'trail');
    key = writePublicKey(`${dir}.pub.pem`);
    // 1,000 chains of one break-the-glass call, each chain its own tool: verify lists 1,000 chains, stats 1,000
    // tools, anomalies 1,000 emergencies, and every view 1,000 calls.
    for (let c = 0; c < 1000; c++) {
      const chain = `c${String(c).padStart(4, '0')}`;
      writeSealedTrail(dir, chain, [
        {
          ts: new Date(Date.UTC(2026, 2, 1, 8) + c * 1000).toISOString(),
          tool: `lookup_${chain}`,
          conversation: 'conv_big',
          subject: 'patient:P-1',
          emergency: 'unconscious in ER',
          success: c % 2 === 0,
        },
      ]);
    }
  });

  // 1,000 segment files: not left behind.
  afterAll(() => rmSync(dirname(dir), { recursive: true, force: true }));

  it.each(COMMANDS)('%s prints more than a pipe buffer when read to the end', async (_name, args) => {
    const run = await piped(args());
    expect(run.bytes).toBeGreaterThan(PIPE_BUFFER);
    expect(run.stderr).not.toMatch(/EPIPE|Error|at /);
  });

  it.each(COMMANDS)('%s: no stack trace, exit status 141 (128 + SIGPIPE)', async (_name, args) => {
    const run = await piped(args(), KEEP);
    expect(run.bytes).toBe(KEEP);
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled|node:|\n\s+at /);
    expect(run.code).toBe(141);
  });
});
