import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkMcpApp, type McpApp } from './mcp-app.js';
import { startMcpHttpServer } from './mcp-http-app.js';
import { AGENT_BODY, AGENT_HEADER } from './mcp-operations-agent.js';
import { SERVER_BODY, SERVER_HEADER } from './mcp-operations-server.js';
import { startOtlpCapture } from './otlp-capture.js';

type OtlpCapture = Awaited<ReturnType<typeof startOtlpCapture>>;

import { runNode } from './run-node.js';
import { readTrail } from './trail.js';

export type McpTransportKind = 'stdio' | 'http' | 'http-stateless' | 'sse';

const REGISTER = ['--import', '@tooltrail/instrumentation/register'];

/** What the agent saw, as it printed it. */
export interface OperationsOutcome {
  resourceText: string;
  promptText: string;
  statusText: string;
  update: string | null;
  toolText: string | null;
  elicited: boolean;
}

export interface OperationsRun {
  outcome: OperationsOutcome;
  sessionId: string | null;
  clientTrailDir: string;
  serverTrailDir: string;
  client: Record<string, unknown>[];
  server: Record<string, unknown>[];
  clientOtlp: OtlpCapture;
  serverOtlp: OtlpCapture;
}

/**
 * Runs the MCP operations app in two processes — `agent.mjs` (client, `app`'s SDK) and `server.mjs` (server,
 * SDK major `serverMajor`; `app` must link it) — both under `--import @tooltrail/instrumentation/register`, each
 * with its own trail and OTLP/HTTP JSON capture. Over stdio the agent spawns the server; otherwise the server
 * listens on 127.0.0.1. `cleanups` receives what the caller must close.
 */
export async function runOperations(
  app: McpApp,
  serverMajor: 1 | 2,
  transport: McpTransportKind,
  cleanups: (() => Promise<void>)[],
): Promise<OperationsRun> {
  const dir = linkMcpApp(app);
  const serverFile = join(dir, 'server.mjs');
  const agentFile = join(dir, 'agent.mjs');
  writeFileSync(serverFile, `${SERVER_HEADER[serverMajor]}\n${SERVER_BODY}`);
  writeFileSync(agentFile, `${AGENT_HEADER[app.major]}\n${AGENT_BODY}`);
  const clientTrailDir = mkdtempSync(join(tmpdir(), 'tooltrail-trail-'));
  const serverTrailDir = mkdtempSync(join(tmpdir(), 'tooltrail-server-trail-'));
  const clientOtlp = await startOtlpCapture();
  cleanups.push(clientOtlp.close);
  const serverOtlp = await startOtlpCapture();
  cleanups.push(serverOtlp.close);
  const common = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', MCP_TRANSPORT: transport };
  const env: Record<string, string> = {
    ...common,
    TOOLTRAIL_DIR: clientTrailDir,
    OTEL_EXPORTER_OTLP_ENDPOINT: clientOtlp.endpoint,
  };
  let stopServer = async () => {};
  if (transport === 'stdio') {
    env.SERVER_NODE_ARGS = JSON.stringify([...REGISTER, serverFile]);
    env.SERVER_TRAIL_DIR = serverTrailDir;
    env.SERVER_OTLP_ENDPOINT = serverOtlp.endpoint;
  } else {
    const server = await startMcpHttpServer(
      { dir, server: serverFile, agent: agentFile, setup: '' },
      {
        preload: 'register',
        env: { ...common, TOOLTRAIL_DIR: serverTrailDir, OTEL_EXPORTER_OTLP_ENDPOINT: serverOtlp.endpoint },
      },
    );
    cleanups.push(server.stop);
    stopServer = server.stop;
    env.MCP_URL = transport === 'sse' ? server.url.replace(/\/mcp$/, '/sse') : server.url;
  }
  const run = await runNode([...REGISTER, agentFile], { cwd: dir, env });
  // SIGTERM: the server's tooltrail writes its final checkpoint and flushes OTLP before the process ends.
  await stopServer();
  if (run.code !== 0) throw new Error(`agent failed (${run.code}):\n${run.stderr}`);
  const line = run.stdout.split('\n').find((text) => text.startsWith('{"outcome"'));
  const printed = JSON.parse(line ?? '{}') as { outcome: OperationsOutcome; sessionId: string | null };
  const calls = (trailDir: string) =>
    readTrail(trailDir).records.filter((record) => record.type === 'tool_call');
  return {
    outcome: printed.outcome,
    sessionId: printed.sessionId,
    clientTrailDir,
    serverTrailDir,
    client: calls(clientTrailDir),
    server: calls(serverTrailDir),
    clientOtlp,
    serverOtlp,
  };
}
