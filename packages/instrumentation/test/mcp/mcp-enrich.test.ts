import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditTool, setupToolAudit, withAuditContext } from '@tooltrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerToolInstrumentations } from '../../src/index.js';
import { toolCalls } from '../support/trail.js';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-enrich-'));
const audit = setupToolAudit({ trail: { dir: trailDir }, exitHooks: false });

type CallTool = (params: { name: string; arguments: Record<string, unknown> }) => Promise<unknown>;
let client: { callTool: CallTool; close: () => Promise<void> };

beforeAll(async () => {
  const registered = await registerToolInstrumentations({ resolveFrom: PACKAGE_DIR, include: ['mcp'] });
  expect(registered[0]?.patched).toContain('@modelcontextprotocol/sdk@1.32.2');
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
  const { z } = await import('zod');
  const server = new McpServer({ name: 'records-server', version: '1.0.0' });
  server.registerTool(
    'lookup_patient',
    { inputSchema: { patient_id: z.string() } },
    async ({ patient_id }) => ({
      content: [{ type: 'text' as const, text: `found ${patient_id}` }],
    }),
  );
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const mcpClient = new Client({ name: 'fixture-agent', version: '1.0.0' });
  await mcpClient.connect(clientTransport);
  client = mcpClient as unknown as typeof client;
});

afterAll(async () => {
  await client?.close();
  await audit.shutdown();
});

const since = (before: number) => toolCalls(trailDir).slice(before);

describe('MCP client under another instrumentation', () => {
  it('enriches an active execute_tool span for the same tool instead of writing a second client record', async () => {
    const before = toolCalls(trailDir).length;
    const lookup = auditTool('lookup_patient', (args: { patient_id: string }) =>
      client.callTool({ name: 'lookup_patient', arguments: args }),
    );
    await withAuditContext({ userId: 'dr-house' }, () => lookup({ patient_id: 'P-1' }));
    const records = since(before);
    // One record from the framework's span (auditTool here), one from the server: not three.
    expect(records.map((record) => [record.tool, record.mcp_client ?? 'framework'])).toEqual([
      ['lookup_patient', 'fixture-agent'],
      ['lookup_patient', 'framework'],
    ]);
    expect(records[0]!.trace_id).toBe(records[1]!.trace_id);
    expect(records[0]!.user).toBe('dr-house');
  });

  it('still records an MCP call made inside a different tool', async () => {
    const before = toolCalls(trailDir).length;
    const triage = auditTool('triage', () =>
      client.callTool({ name: 'lookup_patient', arguments: { patient_id: 'P-2' } }),
    );
    await triage();
    const records = since(before);
    expect(records.map((record) => record.tool).sort()).toEqual([
      'lookup_patient',
      'lookup_patient',
      'triage',
    ]);
    expect(new Set(records.map((record) => record.trace_id)).size).toBe(1);
  });

  it('passes an unknown tool’s isError result through unchanged and records the call as failed', async () => {
    await expect(
      client
        .callTool({ name: 'no_such_tool', arguments: {} })
        .then((result) => (result as { isError?: boolean }).isError),
    ).resolves.toBe(true);
    const last = toolCalls(trailDir).at(-1)!;
    expect(last.tool).toBe('no_such_tool');
    expect(last.success).toBe(false);
  });
});
