import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkMcpApp, type McpApp } from './mcp-app.js';

/**
 * An MCP app split over two processes that talk Streamable HTTP: `server.mjs` listens on 127.0.0.1 (ephemeral
 * port, printed as `{"port":N}`) and keeps one transport per `Mcp-Session-Id`; `agent.mjs` connects to
 * `MCP_URL` and makes the same two calls as the in-process and stdio agents. Neither file has tooltrail code
 * except the agent's `withAuditContext`.
 */
export function createMcpHttpApp(app: McpApp): McpHttpApp {
  const dir = linkMcpApp(app);
  const server = join(dir, 'server.mjs');
  const agent = join(dir, 'agent.mjs');
  const setup = join(dir, 'tooltrail-setup.mjs');
  writeFileSync(server, `${SERVER_HEADER[app.major]}\n${SERVER_BODY}`);
  writeFileSync(agent, `${AGENT_HEADER[app.major]}\n${AGENT_BODY}`);
  writeFileSync(setup, SETUP);
  return { dir, server, agent, setup };
}

export interface McpHttpApp {
  dir: string;
  server: string;
  agent: string;
  /**
   * The programmatic alternative to `--import @tooltrail/instrumentation/register`: `setupToolAudit()` with a
   * rule that pseudonymises `mcp.session.id` (keyed by `TOOLTRAIL_PSEUDONYM_KEY`) instead of the default mask,
   * then `registerToolInstrumentations()`.
   */
  setup: string;
}

/** `--import` argument: the zero-code entry, or the app's own setup file. */
export type Preload = 'register' | 'setup';

export function preloadArgs(app: McpHttpApp, preload: Preload): string[] {
  return ['--import', preload === 'register' ? '@tooltrail/instrumentation/register' : app.setup];
}

const SETUP = `import { setupToolAudit } from '@tooltrail/core';
import { registerToolInstrumentations } from '@tooltrail/instrumentation';

setupToolAudit({
  redaction: { keys: [{ key: 'mcp.session.id', kind: 'mcp_session', action: 'pseudonymize' }] },
});
await registerToolInstrumentations();
`;

export interface McpHttpServer {
  url: string;
  /** Session ids the server initialised, in order (its own `onsessioninitialized`). */
  sessions: string[];
  stderr: () => string;
  /** SIGTERM (tooltrail flushes and checkpoints), SIGKILL if it has not exited in time. Safe to call twice. */
  stop: () => Promise<void>;
}

/**
 * Starts `server.mjs` under `node --import <preload>` and waits for its port. The
 * process is killed if it does not announce a port within `timeoutMs`.
 */
export function startMcpHttpServer(
  app: McpHttpApp,
  options: { preload: Preload; env: Record<string, string | undefined>; timeoutMs?: number },
): Promise<McpHttpServer> {
  const child = spawn(process.execPath, [...preloadArgs(app, options.preload), app.server], {
    cwd: app.dir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const sessions: string[] = [];
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = () => stopChild(child, exited);
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      void stop().then(() => reject(error));
    };
    const timer = setTimeout(
      () => fail(new Error(`the MCP HTTP server announced no port\n${stderr}`)),
      options.timeoutMs ?? 10_000,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      let newline = stdout.indexOf('\n');
      while (newline >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        newline = stdout.indexOf('\n');
        let message: { port?: number; session?: string };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          continue;
        }
        if (typeof message.session === 'string') sessions.push(message.session);
        if (typeof message.port === 'number') {
          clearTimeout(timer);
          resolve({
            url: `http://127.0.0.1:${message.port}/mcp`,
            sessions,
            stderr: () => stderr,
            stop,
          });
        }
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      fail(new Error(`the MCP HTTP server exited (${code ?? signal})\n${stderr}`)),
    );
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), 5_000);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

const SERVER_HEADER = {
  1: `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
const addTool = (server, name, shape, handler) => server.tool(name, shape, handler);
// v1 ships a node:http transport.
function newTransport(options) {
  const transport = new StreamableHTTPServerTransport(options);
  return { transport, handle: (req, res, body) => transport.handleRequest(req, res, body) };
}`,
  2: `import { Readable } from 'node:stream';
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { z } from 'zod';
const addTool = (server, name, shape, handler) => server.registerTool(name, { inputSchema: z.object(shape) }, handler);
// v2's server package ships the Web-standard transport (Request in, Response out); node:http is adapted here.
function newTransport(options) {
  const transport = new WebStandardStreamableHTTPServerTransport(options);
  const handle = async (req, res, body) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const item of [value].flat()) if (item !== undefined) headers.append(name, item);
    }
    const request = new Request('http://' + req.headers.host + req.url, {
      method: req.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await transport.handleRequest(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return res.end();
    const stream = Readable.fromWeb(response.body);
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  };
  return { transport, handle };
}`,
} as const;

const SERVER_BODY = `
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

function makeServer() {
  const server = new McpServer({ name: 'records-server', version: '1.0.0' });
  addTool(server, 'lookup_patient', { patient_id: z.string(), ssn: z.string() }, async ({ patient_id }) => ({
    content: [{ type: 'text', text: JSON.stringify({ patient_id, name: 'Jane Doe', status: 'active' }) }],
  }));
  addTool(server, 'fail_tool', { reason: z.string() }, async ({ reason }) => {
    throw new Error('cannot do it: ' + reason);
  });
  return server;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

const sessions = new Map();

async function route(req, res) {
  if (new URL(req.url, 'http://127.0.0.1').pathname !== '/mcp') return res.writeHead(404).end();
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  const id = req.headers['mcp-session-id'];
  let session = typeof id === 'string' ? sessions.get(id) : undefined;
  if (!session) {
    if (id !== undefined || req.method !== 'POST' || body?.method !== 'initialize') {
      res.writeHead(id === undefined ? 400 : 404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'no such session' }, id: null }));
    }
    session = newTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, session);
        process.stdout.write(JSON.stringify({ session: sessionId }) + '\\n');
      },
    });
    session.transport.onclose = () => sessions.delete(session.transport.sessionId);
    await makeServer().connect(session.transport);
  }
  await session.handle(req, res, body);
}

const http = createServer((req, res) => {
  route(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: http.address().port }) + '\\n');
});
`;

const AGENT_HEADER = {
  1: `import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';`,
  2: `import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';`,
} as const;

const AGENT_BODY = `import { withAuditContext } from '@tooltrail/core';

const SSN = '123-45-6789';

async function main() {
  const client = new Client({ name: 'fixture-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(process.env.MCP_URL));
  await client.connect(transport);
  const attribution = { userId: 'dr-house', userRole: 'physician', conversationId: 'conv-1', turn: 3, purpose: 'treatment' };
  const results = await withAuditContext(attribution, async () => [
    await client.callTool({ name: 'lookup_patient', arguments: { patient_id: 'P-123', ssn: SSN } }),
    await client.callTool({ name: 'fail_tool', arguments: { reason: 'boom' } }),
  ]);
  process.stdout.write(JSON.stringify({ results, sessionId: transport.sessionId }) + '\\n');
  await transport.terminateSession();
  await client.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
