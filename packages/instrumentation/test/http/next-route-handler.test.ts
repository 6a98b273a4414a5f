import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_DIR } from '../support/framework-harness.js';
import { toolCalls } from '../support/trail.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/next-app', import.meta.url));
const REPO = join(PACKAGE_DIR, '../..');
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

/** A copy of the fixture app whose node_modules links next, react and the tooltrail packages. */
function nextApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-next-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURE, dir, { recursive: true });
  const link = (name: string, target: string) => {
    const path = join(dir, 'node_modules', name);
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(target, path, 'dir');
  };
  for (const name of ['next', 'react', 'react-dom', '@opentelemetry/api'])
    link(name, realpathSync(join(PACKAGE_DIR, 'node_modules', name)));
  link('@tooltrail/instrumentation', PACKAGE_DIR);
  link('@tooltrail/core', join(REPO, 'packages/core'));
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForServer(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next exited (${child.exitCode}):\n${output()}`);
    try {
      await fetch(url, { method: 'HEAD' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`next did not start:\n${output()}`);
}

describe('withTooltrail in a real Next.js app (next dev, App Router route handler, 127.0.0.1)', () => {
  it('each request’s tool call is attributed to the user its request names', async () => {
    const dir = nextApp();
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-next-trail-'));
    cleanups.push(() => rmSync(trailDir, { recursive: true, force: true }));
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        join(dir, 'node_modules/next/dist/bin/next'),
        'dev',
        '--webpack',
        '-H',
        '127.0.0.1',
        '-p',
        String(port),
      ],
      {
        cwd: dir,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          NEXT_TELEMETRY_DISABLED: '1',
          NODE_OPTIONS: '--import @tooltrail/instrumentation/register',
          TOOLTRAIL_DIR: trailDir,
          TOOLTRAIL_INSTRUMENTATIONS: 'mcp',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    cleanups.push(() => {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForServer(base, child, () => output);

    const users = ['dr-house:physician', 'nurse-joy:nurse'];
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        fetch(`${base}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user': users[index % 2]! },
          body: JSON.stringify({ patientId: `next-${users[index % 2]!.split(':')[0]}-${index}` }),
        }),
      ),
    );
    for (const response of responses) expect(await response.text(), output).toBe('{"ok":true}');

    // Records are written when each call ends, before the response is sent.
    const records = toolCalls(trailDir);
    expect(records, output).toHaveLength(6);
    for (const record of records) {
      const expected = String(record.args).includes('dr-house')
        ? { user: 'dr-house', role: 'physician' }
        : { user: 'nurse-joy', role: 'nurse' };
      expect(record).toMatchObject({ tool: 'lookup_chart', success: true, ...expected });
    }
  }, 150_000);
});
