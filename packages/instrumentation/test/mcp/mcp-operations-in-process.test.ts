import { withAuditContext } from '@tooltrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerToolInstrumentations } from '../../src/index.js';
import { type Harness, PACKAGE_DIR, SSN_CANARY, startHarness } from '../support/framework-harness.js';

let harness: Harness;
// biome-ignore lint/suspicious/noExplicitAny: the SDK client, loaded after patching.
let client: any;

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
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  client = new Client({ name: 'fixture-agent', version: '1.0.0' });
  await client.connect(clientTransport);
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

    const { records, trailText, otlp } = await harness.finish();
    const reads = records.filter((record) => record.operation === 'resources/read');
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
    // finish() already checked that no SSN form is in the trail or the OTLP bytes; the note text is not either.
    for (const text of [trailText, otlp.toString('utf8')]) {
      expect(text).not.toContain('NOTE-CANARY');
      expect(text).not.toContain('Jane Doe');
    }
    expect(otlp.toString('utf8')).toContain('mcp.resource.uri');
  });
});
