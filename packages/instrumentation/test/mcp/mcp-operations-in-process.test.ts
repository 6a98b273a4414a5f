import { withAuditContext } from '@tooltrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerToolInstrumentations } from '../../src/index.js';
import { type Harness, PACKAGE_DIR, SSN_CANARY, startHarness } from '../support/framework-harness.js';

let harness: Harness;
// biome-ignore lint/suspicious/noExplicitAny: the SDK client, loaded after patching.
let client: any;
let readResultSchema: unknown;

beforeAll(async () => {
  harness = await startHarness('mcp-operations-in-process');
  await registerToolInstrumentations({ resolveFrom: PACKAGE_DIR, include: ['mcp'] });
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { McpServer, ResourceTemplate } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
  const server = new McpServer({ name: 'records-server', version: '1.0.0' });
  server.registerResource(
    'notes',
    new ResourceTemplate('patient://{patient_id}/notes/{key}', { list: undefined }),
    {},
    async (uri, variables) => {
      if (variables.key === 'broken') throw new Error('chart store offline');
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'NOTE-CANARY for Jane Doe' }] };
    },
  );
  const types = await import('@modelcontextprotocol/sdk/types.js');
  // Sampling through the generic request API a handler gets (`extra.sendRequest`), not `createMessage`.
  server.registerTool('ask', {}, async (extra) => {
    const sampled = await extra.sendRequest(
      {
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: 'ASK-CANARY' } }], maxTokens: 8 },
      },
      types.CreateMessageResultSchema,
    );
    return { content: [{ type: 'text', text: String(sampled.model) }] };
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  client = new Client({ name: 'fixture-agent', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(types.CreateMessageRequestSchema, async () => ({
    model: 'm-2',
    role: 'assistant',
    content: { type: 'text', text: 'REPLY-CANARY' },
  }));
  await client.connect(clientTransport);
  readResultSchema = types.ReadResourceResultSchema;
});

afterAll(async () => {
  await client?.close();
  await harness?.cleanup();
});

describe('MCP resource reads in one process (InMemoryTransport, v1)', () => {
  it('redacts PII in the URI (args, subject, span) and records a failed read as a failure on both sides', async () => {
    const uri = `patient://P-77/notes/${SSN_CANARY}`;
    const read = await withAuditContext({ userId: 'dr-house' }, () => client.readResource({ uri }));
    expect(read.contents[0].text).toBe('NOTE-CANARY for Jane Doe');
    const failure = await withAuditContext({ userId: 'dr-house' }, () =>
      client.readResource({ uri: 'patient://P-77/notes/broken' }).then(
        () => 'resolved',
        (error: Error) => error.message,
      ),
    );
    // The app gets the SDK's error unchanged.
    expect(failure).toContain('chart store offline');
    // The generic request API, both ways: a read through `client.request`, sampling through `extra.sendRequest`.
    await withAuditContext({ userId: 'dr-house' }, async () => {
      await client.request(
        { method: 'resources/read', params: { uri: 'patient://P-78/notes/x' } },
        readResultSchema,
      );
      expect((await client.callTool({ name: 'ask', arguments: {} })).content[0].text).toBe('m-2');
    });

    const { records, trailText, otlp } = await harness.finish();
    const reads = records.filter((record) => record.operation === 'resources/read').slice(0, 4);
    // Client and server side of each read (one process, two records per read).
    expect(
      reads.map((record) => [record.mcp_server ?? null, record.mcp_client ?? null, record.success]),
    ).toEqual([
      [null, 'fixture-agent', true],
      ['records-server', null, true],
      [null, 'fixture-agent', false],
      ['records-server', null, false],
    ]);
    for (const record of reads) {
      expect(record.subject).toBe('patient:P-77');
      expect(record.user).toBe('dr-house');
    }
    expect(reads[0]!.args).toEqual({ uri: 'patient://P-77/notes/[REDACTED:ssn]' });
    expect(reads[2]!.error).toMatchObject({ message: expect.stringContaining('chart store offline') });
    expect(reads[3]!.error).toMatchObject({ message: expect.stringContaining('chart store offline') });
    const generic = records
      .filter((record) => record.operation !== undefined)
      .slice(4)
      .map((record) => [
        record.operation,
        record.subject,
        record.mcp_server ?? null,
        record.mcp_client ?? null,
      ]);
    expect(generic).toEqual([
      ['resources/read', 'patient:P-78', null, 'fixture-agent'],
      ['resources/read', 'patient:P-78', 'records-server', null],
      ['sampling/createMessage', null, 'records-server', null],
      ['sampling/createMessage', null, null, 'fixture-agent'],
    ]);
    // finish() already checked that no SSN form is in the trail or the OTLP bytes; the note text is not either.
    for (const text of [trailText, otlp.toString('utf8')]) {
      expect(text).not.toContain('NOTE-CANARY');
      expect(text).not.toContain('Jane Doe');
      expect(text).not.toContain('ASK-CANARY');
      expect(text).not.toContain('REPLY-CANARY');
    }
    expect(otlp.toString('utf8')).toContain('mcp.resource.uri');
  });
});
