import { describe, expect, it } from 'vitest';
import { MCP_V1_LATEST, MCP_V1_MIN, MCP_V2_LATEST, MCP_V2_MIN, type McpApp } from '../support/mcp-app.js';
import { comparable, runAgent } from '../support/run-agent.js';
import { readTrail, verifyPinned } from '../support/trail.js';

const SSN = '123-45-6789';

const VERSIONS: [string, McpApp][] = [
  ['@modelcontextprotocol/sdk 1.32.2', MCP_V1_LATEST],
  ['@modelcontextprotocol/sdk 1.10.0 (lowest supported)', MCP_V1_MIN],
  ['@modelcontextprotocol/client + server 2.4.0', MCP_V2_LATEST],
  ['@modelcontextprotocol/client + server 2.0.0 (lowest supported)', MCP_V2_MIN],
];

describe('MCP instrumentation, client and server in one process (InMemoryTransport)', () => {
  describe.each(VERSIONS)('%s', (_label, app) => {
    it('records the client call and the server execution, linked by trace, attributed to the user', async () => {
      const run = await runAgent(app, 'esm');
      expect(run.results.map((result) => result.isError === true)).toEqual([false, true]);
      const client = run.records.filter((record) => record.mcp_server === 'records-server');
      const server = run.records.filter((record) => record.mcp_client === 'fixture-agent');
      expect(client.map((record) => [record.tool, record.success])).toEqual([
        ['lookup_patient', true],
        ['fail_tool', false],
      ]);
      expect(server.map((record) => [record.tool, record.success])).toEqual([
        ['lookup_patient', true],
        ['fail_tool', false],
      ]);
      expect(run.records).toHaveLength(4);
      for (const [index, record] of server.entries()) {
        const caller = client[index]!;
        expect(record.trace_id).toBe(caller.trace_id);
        expect(record.span_id).not.toBe(caller.span_id);
        expect(record).toMatchObject({
          user: 'dr-house',
          role: 'physician',
          conversation: 'conv-1',
          turn: 3,
        });
        expect(caller).toMatchObject({ user: 'dr-house', purpose: 'treatment' });
      }
      expect(client[1]!.error).toEqual({ type: 'tool_error', message: 'cannot do it: boom' });
      expect(client[0]!.args).toEqual({ patient_id: 'P-123', ssn: '[REDACTED:ssn]' });
      expect(readTrail(run.trailDir).text).not.toContain(SSN);
      const report = await verifyPinned(run.trailDir);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    });
  });

  it.each([
    ['v1', MCP_V1_LATEST],
    ['v2', MCP_V2_LATEST],
  ] as const)(
    '%s: the same agent as ESM (--import) and CJS (-r) produces the same records',
    async (_label, app) => {
      const esm = await runAgent(app, 'esm');
      const cjs = await runAgent(app, 'cjs');
      // The CJS agent `require`s the SDK's CommonJS build, the ESM agent `import`s its ES module build.
      expect(esm.records).toHaveLength(4);
      expect(cjs.records.map(comparable)).toEqual(esm.records.map(comparable));
      expect(cjs.results).toEqual(esm.results);
      expect((await verifyPinned(cjs.trailDir)).ok).toBe(true);
    },
  );
});
