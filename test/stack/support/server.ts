import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { sleep, waitForHttp } from '../../collector/support/ports.js';

export interface RunningServer {
  stop(): Promise<void>;
  log(): string;
}

/** Starts a server process (Prometheus, Alertmanager) and waits until `ready` answers 2xx. */
export async function startServer(options: {
  name: string;
  command: string;
  args: string[];
  ready: string;
  logDir: string;
}): Promise<RunningServer> {
  const logFile = join(options.logDir, `${options.name}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(options.command, options.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => readFileSync(logFile, 'utf8');
  try {
    await Promise.race([
      waitForHttp(options.ready, 30_000),
      exited.then(() => {
        throw new Error(`${options.name} exited early:\n${log()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]))
          child.kill('SIGKILL');
        await exited;
      }
      out.end();
    },
  };
}

export interface Webhook {
  url: string;
  /** Alertmanager webhook payloads received so far. */
  received: Array<{ status: string; alerts: Array<{ status: string; labels: Record<string, string> }> }>;
  close(): Promise<void>;
}

/** A local Alertmanager webhook receiver on 127.0.0.1. */
export function startWebhook(): Promise<Webhook> {
  const received: Webhook['received'] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(JSON.parse(body) as Webhook['received'][number]);
      response.writeHead(200).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/alerts`,
        received,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
