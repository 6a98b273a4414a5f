/**
 * `agent.mjs` of the MCP operations app: reads the resource, gets the prompt, subscribes and waits for the
 * update, and calls the tool that makes the server ask for sampling and elicitation — all under one
 * `withAuditContext`. The client's answers carry canaries too. Prints `{"outcome": …}` with what the app saw.
 */
export const AGENT_HEADER = {
  1: `import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as types from '@modelcontextprotocol/sdk/types.js';
const SCHEMAS = {
  'sampling/createMessage': types.CreateMessageRequestSchema,
  'elicitation/create': types.ElicitRequestSchema,
  'notifications/resources/updated': types.ResourceUpdatedNotificationSchema,
};
const onRequest = (client, method, handler) => SCHEMAS[method] && client.setRequestHandler(SCHEMAS[method], handler);
const onNotification = (client, method, handler) => client.setNotificationHandler(SCHEMAS[method], handler);`,
  2: `import { Client, StreamableHTTPClientTransport, SSEClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
const onRequest = (client, method, handler) => client.setRequestHandler(method, handler);
const onNotification = (client, method, handler) => client.setNotificationHandler(method, handler);`,
} as const;

export const AGENT_BODY = `import { withAuditContext } from '@tooltrail/core';

const URI = 'patient://P-123/chart';
const transportKind = process.env.MCP_TRANSPORT;
const serverInitiated = transportKind !== 'http-stateless';

function newTransport() {
  if (transportKind === 'stdio') {
    return new StdioClientTransport({
      command: process.execPath,
      args: [...JSON.parse(process.env.SERVER_NODE_ARGS)],
      env: { ...process.env, TOOLTRAIL_DIR: process.env.SERVER_TRAIL_DIR, OTEL_EXPORTER_OTLP_ENDPOINT: process.env.SERVER_OTLP_ENDPOINT },
    });
  }
  if (transportKind === 'sse') return new SSEClientTransport(new URL(process.env.MCP_URL));
  return new StreamableHTTPClientTransport(new URL(process.env.MCP_URL));
}

async function main() {
  const client = new Client(
    { name: 'fixture-agent', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  let elicited = false;
  onRequest(client, 'sampling/createMessage', async () => ({
    model: 'claude-test-1',
    role: 'assistant',
    content: { type: 'text', text: 'SAMPLE-REPLY-CANARY 123-45-6789' },
    stopReason: 'endTurn',
  }));
  onRequest(client, 'elicitation/create', async () => {
    elicited = true;
    return { action: 'accept', content: { ssn: '123-45-6789', consent: true } };
  });
  let updated;
  const gotUpdate = new Promise((resolve) => { updated = resolve; });
  onNotification(client, 'notifications/resources/updated', async (notification) => updated(notification.params.uri));
  const transport = newTransport();
  await client.connect(transport);
  const attribution = { userId: 'dr-house', userRole: 'physician', conversationId: 'conv-1', turn: 3, purpose: 'treatment' };
  const outcome = await withAuditContext(attribution, async () => {
    const resource = await client.readResource({ uri: URI });
    const prompt = await client.getPrompt({ name: 'patient_summary', arguments: { patient_id: 'P-123', note: 'NOTE 123-45-6789' } });
    const status = await client.callTool({ name: 'chart_status', arguments: { patient_id: 'P-123' } });
    let update = null;
    let tool = null;
    if (serverInitiated) {
      await client.subscribeResource({ uri: URI });
      update = await Promise.race([gotUpdate, new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000))]);
      tool = await client.callTool({ name: 'ask_model', arguments: { patient_id: 'P-123' } });
    }
    return {
      resourceText: resource.contents[0].text,
      promptText: prompt.messages[0].content.text,
      update,
      statusText: status.content[0].text,
      toolText: tool && tool.content[0].text,
      elicited,
    };
  });
  process.stdout.write(JSON.stringify({ outcome, sessionId: transport.sessionId ?? null }) + '\\n');
  if (transportKind === 'http') await transport.terminateSession();
  await client.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
