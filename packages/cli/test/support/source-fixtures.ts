import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../../..');
export const bin = join(root, 'packages/cli/dist/bin.js');
const demo = join(root, 'examples/medical-assistant/src/main.mjs');

/** Runs the demo into a fresh trail directory; returns it, its record lines (file order) and its public key. */
export function demoTrail(prefix: string): { dir: string; lines: string[]; publicKey: string } {
  const dir = join(mkdtempSync(join(tmpdir(), prefix)), 'trail');
  const env: NodeJS.ProcessEnv = { ...process.env, TOOLTRAIL_DIR: dir, NO_COLOR: '1' };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  execFileSync(process.execPath, [demo], { env, encoding: 'utf8' });
  const lines = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean));
  return { dir, lines, publicKey: join(dir, 'keys/signing-key.pub.pem') };
}

/** Runs the CLI without blocking the event loop (the fake servers live in this process). */
export function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const name of ['TOOLTRAIL_SOURCE', 'TOOLTRAIL_DIR', 'TOOLTRAIL_PUBLIC_KEY_FILE'] as const) {
    if (!(name in env)) delete base[name];
  }
  return new Promise((done, fail) => {
    // An empty working directory: a `.tooltrail/` the demo left in the repository must not count.
    const child = spawn(process.execPath, [bin, ...args], {
      env: base,
      cwd: mkdtempSync(join(tmpdir(), 'tooltrail-cwd-')),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

export interface FakeServer {
  url: string;
  requests: URL[];
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering with `handle`; records every request URL. */
export async function fakeServer(
  handle: (url: URL, request: IncomingMessage, response: ServerResponse) => void,
): Promise<FakeServer> {
  const requests: URL[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    handle(url, request, response);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
