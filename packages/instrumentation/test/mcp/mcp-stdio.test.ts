import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MCP_V1_LATEST, MCP_V2_LATEST } from '../support/mcp-app.js';
import { startOtlpCapture } from '../support/otlp-capture.js';
import { runAgent } from '../support/run-agent.js';
import { readTrail, toolCalls, verifyPinned } from '../support/trail.js';

const SSN = '123-45-6789';

describe('MCP instrumentation across two processes (stdio)', () => {
  let capture: Awaited<ReturnType<typeof startOtlpCapture>>;
  beforeEach(async () => {
    capture = await startOtlpCapture();
  });
  afterEach(async () => {
    await capture.close();
  });

  it.each([
    ['v1', MCP_V1_LATEST],
    ['v2', MCP_V2_LATEST],
  ] as const)(
    '%s: the server records the caller’s user, in the caller’s trace, and PII stays out',
    async (_label, app) => {
      const run = await runAgent(app, 'esm', {
        MCP_TRANSPORT: 'stdio',
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      });
      expect(run.results.map((result) => result.isError === true)).toEqual([false, true]);

      const client = run.records;
      const server = toolCalls(run.serverTrailDir);
      expect(client.map((record) => [record.tool, record.success, record.mcp_server])).toEqual([
        ['lookup_patient', true, 'records-server'],
        ['fail_tool', false, 'records-server'],
      ]);
      expect(server.map((record) => [record.tool, record.success, record.mcp_client])).toEqual([
        ['lookup_patient', true, 'fixture-agent'],
        ['fail_tool', false, 'fixture-agent'],
      ]);
      // Two chains in two processes; the server process has no audit context of its own.
      expect(server[0]!.chain).not.toBe(client[0]!.chain);
      for (const [index, record] of server.entries()) {
        expect(record.trace_id).toBe(client[index]!.trace_id);
        // The server record names the client's span: the CLI pairs the two records of one call exactly.
        expect(record.parent_span_id).toBe(client[index]!.span_id);
        expect(record.span_id).not.toBe(client[index]!.span_id);
        expect(record).toMatchObject({
          user: 'dr-house',
          role: 'physician',
          conversation: 'conv-1',
          turn: 3,
          purpose: 'treatment',
          trigger: 'user_request',
        });
      }
      expect(server[0]!.args).toEqual({ patient_id: 'P-123', ssn: '[REDACTED:ssn]' });

      for (const dir of [run.trailDir, run.serverTrailDir]) {
        expect(readTrail(dir).text).not.toContain(SSN);
        const report = await verifyPinned(dir);
        expect(report.problems).toEqual([]);
        expect(report.ok).toBe(true);
      }
      // The OTLP bytes are non-empty and about these calls, and never carry the canary.
      expect([...capture.bodies.keys()].sort()).toEqual(['/v1/logs', '/v1/traces']);
      const bytes = capture.all();
      expect(bytes.includes('lookup_patient')).toBe(true);
      expect(bytes.includes('dr-house')).toBe(true);
      expect(bytes.includes(SSN)).toBe(false);
      expect(bytes.includes('123456789')).toBe(false);
    },
  );
});
