import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMERGENCY_DECLARED_BY_CALLER } from '../../src/mcp/meta-propagation.js';
import { linkMcpApp, MCP_V1_LATEST } from '../support/mcp-app.js';
import { startOtlpCapture } from '../support/otlp-capture.js';
import { runNode } from '../support/run-node.js';
import { readTrail, toolCalls } from '../support/trail.js';

const CANARY = {
  email: 'carol.canary@example.net',
  ssn: '123-45-6789',
  card: '4111 1111 1111 1111',
  bearer: 'Bearer canaryTOKEN0123456789abcdef',
  name: 'Johanna Q. Testperson',
  reason: 'Johanna collapsed in ward 4B, husband on the phone',
};
const forms = (value: string) => [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
const leaksIn = (bytes: Buffer | string, values: string[]) =>
  values
    .flatMap(forms)
    .filter((form) => (Buffer.isBuffer(bytes) ? bytes.toString('utf8') : bytes).includes(form));

/** A v1 MCP client and server over stdio; the server answers with the `_meta` it received. */
const AGENT = `
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { withAuditContext } from '@tooltrail/core';
import { z } from 'zod';

const C = JSON.parse(process.env.CANARIES_JSON);
if (process.env.MCP_ROLE === 'server') {
  const server = new McpServer({ name: 'records-server', version: '1.0.0' });
  server.tool('lookup_patient', { patient_name: z.string(), note: z.string() }, async (_args, extra) => ({
    content: [{ type: 'text', text: JSON.stringify({ meta: extra._meta ?? null, mail: C.email, card: C.card }) }],
  }));
  server.tool('fail_tool', { note: z.string() }, async ({ note }) => {
    throw new Error('cannot: ' + note + ' for ssn ' + C.ssn);
  });
  await server.connect(new StdioServerTransport());
} else {
  const client = new Client({ name: 'fixture-agent', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [...process.execArgv, process.argv[1]],
      env: {
        ...process.env,
        MCP_ROLE: 'server',
        TOOLTRAIL_DIR: process.env.SERVER_TRAIL_DIR,
        OTEL_EXPORTER_OTLP_ENDPOINT: process.env.SERVER_OTLP_ENDPOINT,
      },
    }),
  );
  const context = { userId: 'dr-house', purpose: 'treatment', emergency: { reason: C.reason } };
  const results = await withAuditContext(context, async () => [
    await client.callTool({ name: 'lookup_patient', arguments: { patient_name: C.name, note: 'ssn ' + C.ssn + ' mail ' + C.email } }),
    await client.callTool({ name: 'fail_tool', arguments: { note: C.bearer } }),
  ]);
  process.stdout.write(JSON.stringify({ results }) + '\\n');
  await client.close();
}
`;

describe('MCP over stdio: what crosses the process boundary', () => {
  let clientOtlp: Awaited<ReturnType<typeof startOtlpCapture>>;
  let serverOtlp: Awaited<ReturnType<typeof startOtlpCapture>>;
  beforeEach(async () => {
    clientOtlp = await startOtlpCapture();
    serverOtlp = await startOtlpCapture();
  });
  afterEach(async () => {
    await clientOtlp.close();
    await serverOtlp.close();
  });

  it('the server receives identifiers and the emergency flag, never the reason; no canary in OTLP or trails', async () => {
    const dir = linkMcpApp(MCP_V1_LATEST);
    const entry = join(dir, 'agent.mjs');
    writeFileSync(entry, AGENT);
    const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-trail-'));
    const serverTrailDir = mkdtempSync(join(tmpdir(), 'tooltrail-server-trail-'));
    const run = await runNode(['--import', '@tooltrail/instrumentation/register', entry], {
      cwd: dir,
      timeoutMs: 30_000,
      env: {
        TOOLTRAIL_DIR: trailDir,
        SERVER_TRAIL_DIR: serverTrailDir,
        CANARIES_JSON: JSON.stringify(CANARY),
        OTEL_EXPORTER_OTLP_ENDPOINT: clientOtlp.endpoint,
        SERVER_OTLP_ENDPOINT: serverOtlp.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const line = run.stdout.split('\n').find((text) => text.startsWith('{"results"')) ?? '{}';
    const results = (JSON.parse(line) as { results: Array<{ content?: Array<{ text?: string }> }> }).results;
    // What the server process was handed in _meta: trace context and identifiers, the flag, no reason.
    const received = JSON.parse(results[0]?.content?.[0]?.text ?? '{}') as { meta: Record<string, string> };
    expect(received.meta.traceparent).toMatch(/^00-/);
    expect(received.meta.baggage).toContain('tooltrail.user=dr-house');
    expect(received.meta.baggage).toContain('tooltrail.emergency=1');
    expect(leaksIn(JSON.stringify(received.meta), [CANARY.reason, ...CANARY.reason.split(' ')])).toEqual([]);

    const server = toolCalls(serverTrailDir);
    expect(server.map((record) => record.tool)).toEqual(['lookup_patient', 'fail_tool']);
    for (const record of server) {
      expect(record).toMatchObject({ user: 'dr-house', emergency: true });
      expect((record as { emergency_reason?: string }).emergency_reason).toBe(EMERGENCY_DECLARED_BY_CALLER);
    }
    const client = toolCalls(trailDir);
    expect((client[0] as { emergency_reason?: string }).emergency_reason).toBe(CANARY.reason);

    // The server side holds no canary at all, the reason included; the client side none but its own reason.
    const all = Object.values(CANARY);
    const piiOnly = all.filter((value) => value !== CANARY.reason);
    // The capture server may still be reading the body of a request sent just before the process exited.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(serverOtlp.all().length).toBeGreaterThan(0);
    expect(clientOtlp.all().length).toBeGreaterThan(0);
    expect(leaksIn(serverOtlp.all(), all)).toEqual([]);
    expect(leaksIn(readTrail(serverTrailDir).text, all)).toEqual([]);
    expect(leaksIn(clientOtlp.all(), piiOnly)).toEqual([]);
    expect(leaksIn(readTrail(trailDir).text, piiOnly)).toEqual([]);
  });
});
