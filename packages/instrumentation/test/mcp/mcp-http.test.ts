import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolCallRecord } from '@tooltrail/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MCP_V1_LATEST, MCP_V1_MIN, MCP_V2_LATEST, MCP_V2_MIN, type McpApp } from '../support/mcp-app.js';
import {
  createMcpHttpApp,
  type McpHttpServer,
  type Preload,
  preloadArgs,
  startMcpHttpServer,
} from '../support/mcp-http-app.js';
import { startOtlpCapture } from '../support/otlp-capture.js';
import { runNode } from '../support/run-node.js';
import { readTrail, toolCalls, verifyPinned } from '../support/trail.js';

const SSN = '123-45-6789';

const VERSIONS: [string, McpApp][] = [
  ['@modelcontextprotocol/sdk 1.32.2', MCP_V1_LATEST],
  ['@modelcontextprotocol/sdk 1.10.0 (lowest supported)', MCP_V1_MIN],
  ['@modelcontextprotocol/client + server 2.4.0', MCP_V2_LATEST],
  ['@modelcontextprotocol/client + server 2.0.0 (lowest supported)', MCP_V2_MIN],
];

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

interface HttpRun {
  sessionId: string;
  client: ToolCallRecord[];
  server: ToolCallRecord[];
  clientSpans: OtlpSpan[];
  serverSpans: OtlpSpan[];
  trailDirs: string[];
  /** Every OTLP request body of both processes, as text. */
  otlpText: string;
}

/** The `execute_tool` spans of OTLP/HTTP JSON trace exports. */
function toolSpans(bodies: Buffer[] | undefined): OtlpSpan[] {
  return (bodies ?? [])
    .flatMap((body) => {
      const parsed = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
      };
      return (parsed.resourceSpans ?? []).flatMap((resource) =>
        (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []),
      );
    })
    .filter((span) => span.name.startsWith('execute_tool '))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes?.find((entry) => entry.key === key)?.value.stringValue;
}

describe('MCP instrumentation across two processes (Streamable HTTP on 127.0.0.1)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    // The server process is stopped (SIGTERM, then SIGKILL) and the capture servers closed, whatever happened.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * Server process listening on 127.0.0.1 (ephemeral port), agent process calling it over Streamable HTTP, each
   * with its own trail and its own OTLP/HTTP JSON capture server.
   */
  async function runOverHttp(
    app: McpApp,
    preload: Preload,
    env: Record<string, string> = {},
  ): Promise<HttpRun> {
    const clientCapture = await startOtlpCapture();
    cleanups.push(clientCapture.close);
    const serverCapture = await startOtlpCapture();
    cleanups.push(serverCapture.close);
    const httpApp = createMcpHttpApp(app);
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-trail-'));
    const serverTrailDir = mkdtempSync(join(tmpdir(), 'tooltrail-server-trail-'));
    const otlp = (endpoint: string) => ({
      ...env,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });

    const server: McpHttpServer = await startMcpHttpServer(httpApp, {
      preload,
      env: { TOOLTRAIL_DIR: serverTrailDir, ...otlp(serverCapture.endpoint) },
    });
    cleanups.push(server.stop);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const run = await runNode([...preloadArgs(httpApp, preload), httpApp.agent], {
      cwd: httpApp.dir,
      env: { TOOLTRAIL_DIR: trailDir, MCP_URL: server.url, ...otlp(clientCapture.endpoint) },
    });
    // SIGTERM: the server's tooltrail writes its final checkpoint and flushes OTLP before the process ends.
    await server.stop();
    if (run.code !== 0)
      throw new Error(`agent failed (${run.code}):\n${run.stderr}\nserver:\n${server.stderr()}`);
    const line = run.stdout.split('\n').find((text) => text.startsWith('{"results"'));
    const output = JSON.parse(line ?? '{}') as { results?: { isError?: boolean }[]; sessionId?: string };
    expect(output.results?.map((result) => result.isError === true)).toEqual([false, true]);
    // One HTTP session: the id the server generated is the one the client got in `Mcp-Session-Id`.
    expect(server.sessions).toHaveLength(1);
    expect(output.sessionId).toBe(server.sessions[0]);
    for (const capture of [clientCapture, serverCapture])
      expect([...capture.bodies.keys()].sort()).toEqual(['/v1/logs', '/v1/traces']);
    return {
      sessionId: server.sessions[0]!,
      client: toolCalls(trailDir),
      server: toolCalls(serverTrailDir),
      clientSpans: toolSpans(clientCapture.bodies.get('/v1/traces')),
      serverSpans: toolSpans(serverCapture.bodies.get('/v1/traces')),
      trailDirs: [trailDir, serverTrailDir],
      otlpText: Buffer.concat([clientCapture.all(), serverCapture.all()]).toString('utf8'),
    };
  }

  describe.each(VERSIONS)('%s', (_label, app) => {
    it('pairs client and server records by trace and span, carries the audit context, keeps PII out (--import register)', async () => {
      const run = await runOverHttp(app, 'register');
      const { client, server } = run;
      expect(client.map((record) => [record.tool, record.success, record.mcp_server])).toEqual([
        ['lookup_patient', true, 'records-server'],
        ['fail_tool', false, 'records-server'],
      ]);
      expect(server.map((record) => [record.tool, record.success, record.mcp_client])).toEqual([
        ['lookup_patient', true, 'fixture-agent'],
        ['fail_tool', false, 'fixture-agent'],
      ]);
      expect(client[1]!.error).toEqual({ type: 'tool_error', message: 'cannot do it: boom' });
      expect(server[1]!.error).toMatchObject({ type: 'tool_error' });
      // Two chains in two processes; the server process has no audit context of its own.
      expect(server[0]!.chain).not.toBe(client[0]!.chain);
      for (const [index, record] of server.entries()) {
        const caller = client[index]!;
        expect(caller.trace_id).toMatch(/^[0-9a-f]{32}$/);
        expect(caller.span_id).toMatch(/^[0-9a-f]{16}$/);
        expect(record.trace_id).toBe(caller.trace_id);
        // The server record names the client's span: the CLI pairs the two records of one call exactly.
        expect(record.parent_span_id).toBe(caller.span_id);
        expect(record.span_id).not.toBe(caller.span_id);
        expect(record).toMatchObject({
          user: 'dr-house',
          role: 'physician',
          conversation: 'conv-1',
          turn: 3,
          purpose: 'treatment',
          trigger: 'user_request',
        });
      }
      expect(client[0]!.args).toEqual({ patient_id: 'P-123', ssn: '[REDACTED:ssn]' });
      expect(server[0]!.args).toEqual({ patient_id: 'P-123', ssn: '[REDACTED:ssn]' });
      for (const dir of run.trailDirs) {
        expect(readTrail(dir).text).not.toContain(SSN);
        expect(readTrail(dir).text).not.toContain(run.sessionId);
        const report = await verifyPinned(dir);
        expect(report.problems).toEqual([]);
        expect(report.ok).toBe(true);
      }

      // Spans: the server's execute_tool span is the child of the client's, in the same trace.
      expect(run.clientSpans.map((span) => span.name)).toEqual([
        'execute_tool fail_tool',
        'execute_tool lookup_patient',
      ]);
      expect(run.serverSpans.map((span) => span.name)).toEqual(run.clientSpans.map((span) => span.name));
      for (const [index, span] of run.serverSpans.entries()) {
        expect(span.traceId).toBe(run.clientSpans[index]!.traceId);
        expect(span.parentSpanId).toBe(run.clientSpans[index]!.spanId);
      }
      // Both sides read the HTTP session id (no attribute at all over stdio / in memory); the default key rule
      // `sessionid` masks it on export, like any session id.
      for (const span of [...run.clientSpans, ...run.serverSpans]) {
        expect(attribute(span, 'mcp.method.name')).toBe('tools/call');
        expect(attribute(span, 'mcp.session.id')).toBe('[REDACTED:sessionid]');
      }
      expect(run.otlpText).toContain('lookup_patient');
      expect(run.otlpText).toContain('dr-house');
      expect(run.otlpText).not.toContain(run.sessionId);
      expect(run.otlpText).not.toContain(SSN);
      expect(run.otlpText).not.toContain('123456789');
    }, 40_000);
  });

  it.each([
    ['v1', MCP_V1_LATEST],
    ['v2', MCP_V2_LATEST],
  ] as const)(
    '%s: with a pseudonymise rule for mcp.session.id, both sides export the same keyed pseudonym of the HTTP session id',
    async (_label, app) => {
      const secret = randomBytes(32);
      const run = await runOverHttp(app, 'setup', {
        TOOLTRAIL_PSEUDONYM_KEY: `mcp-test:${secret.toString('base64')}`,
      });
      const hmac = (value: string) =>
        `hmac:mcp-test:${createHmac('sha256', secret).update(value).digest('hex')}`;
      // Key rules run at span start and again at span end; a pseudonym is kept as it is the second time, so the
      // exported value is exactly the pseudonym the records and the CLI's `pseudonym` command give.
      const expected = hmac(run.sessionId);
      expect(run.clientSpans).toHaveLength(2);
      expect(run.serverSpans).toHaveLength(2);
      const exported = new Set(
        [...run.clientSpans, ...run.serverSpans].map((span) => attribute(span, 'mcp.session.id')),
      );
      // The same value on every span of both processes: the session correlates across client and server.
      expect(exported.size).toBe(1);
      expect([...exported][0]).toBe(expected);
      expect(run.otlpText).not.toContain(run.sessionId);
      expect(run.otlpText).not.toContain(SSN);
      expect(run.server.map((record) => [record.tool, record.success, record.user])).toEqual([
        ['lookup_patient', true, 'dr-house'],
        ['fail_tool', false, 'dr-house'],
      ]);
      for (const dir of run.trailDirs) {
        expect(readTrail(dir).text).not.toContain(SSN);
        expect((await verifyPinned(dir)).ok).toBe(true);
      }
    },
    40_000,
  );
});
