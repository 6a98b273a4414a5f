/**
 * `server.mjs` of the MCP operations app: a resource, a prompt, resource subscriptions and a tool that asks the
 * client's model (sampling) and the user (elicitation). Every text the server hands out carries a canary that must
 * never reach a record or a span. `MCP_TRANSPORT` picks stdio, Streamable HTTP (`http`, stateful), stateless
 * Streamable HTTP (`http-stateless`) or the deprecated HTTP+SSE (`sse`, v1 only: v2 has no SSE server transport).
 */
export const SERVER_HEADER = {
  1: `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { SubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
const addTool = (server, name, shape, handler) => server.tool(name, shape, handler);
const addResource = (server, name, uri, read) => server.resource(name, uri, read);
const addPrompt = (server, name, shape, get) => server.prompt(name, shape, get);
const onSubscribe = (server, handler) => server.server.setRequestHandler(SubscribeRequestSchema, handler);
function newTransport(options) {
  const transport = new StreamableHTTPServerTransport(options);
  return { transport, handle: (req, res, body) => transport.handleRequest(req, res, body) };
}`,
  2: `import { Readable } from 'node:stream';
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
const SSEServerTransport = undefined;
const addTool = (server, name, shape, handler) => server.registerTool(name, { inputSchema: z.object(shape) }, handler);
const addResource = (server, name, uri, read) => server.registerResource(name, uri, {}, read);
const addPrompt = (server, name, shape, get) => server.registerPrompt(name, { argsSchema: z.object(shape) }, get);
const onSubscribe = (server, handler) => server.server.setRequestHandler('resources/subscribe', handler);
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

export const SERVER_BODY = `
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const URI = 'patient://P-123/chart';

function makeServer() {
  const server = new McpServer(
    { name: 'records-server', version: '1.0.0' },
    { capabilities: { resources: { subscribe: true } } },
  );
  addResource(server, 'chart', URI, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ note: 'RESOURCE-CANARY Jane Doe', ssn: '123-45-6789' }) }],
  }));
  addPrompt(server, 'patient_summary', { patient_id: z.string(), note: z.string() }, async ({ patient_id, note }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'PROMPT-CANARY summarise ' + patient_id + ': ' + note } }],
  }));
  onSubscribe(server, async (request) => {
    await server.server.sendResourceUpdated({ uri: request.params.uri });
    return {};
  });
  addTool(server, 'chart_status', { patient_id: z.string() }, async ({ patient_id }) => ({
    content: [{ type: 'text', text: patient_id + ' chart open' }],
  }));
  addTool(server, 'ask_model', { patient_id: z.string() }, async () => {
    const sampled = await server.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: 'SAMPLING-CANARY diagnose 123-45-6789' } }],
      modelPreferences: { hints: [{ name: 'claude-test' }] },
      systemPrompt: 'SYSTEM-CANARY',
      maxTokens: 64,
    });
    let action = 'none';
    if (typeof server.server.elicitInput === 'function') {
      const elicited = await server.server.elicitInput({
        message: 'ELICIT-CANARY confirm the SSN of Jane Doe',
        requestedSchema: { type: 'object', properties: { ssn: { type: 'string' }, consent: { type: 'boolean' } }, required: ['consent'] },
      });
      action = elicited.action;
    }
    return { content: [{ type: 'text', text: 'model ' + sampled.model + ', elicitation ' + action }] };
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
const sse = new Map();

async function route(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (process.env.MCP_TRANSPORT === 'sse') {
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      sse.set(transport.sessionId, transport);
      res.on('close', () => sse.delete(transport.sessionId));
      process.stdout.write(JSON.stringify({ session: transport.sessionId }) + '\\n');
      return makeServer().connect(transport);
    }
    const transport = sse.get(url.searchParams.get('sessionId'));
    if (req.method !== 'POST' || url.pathname !== '/messages' || !transport) return res.writeHead(404).end();
    return transport.handlePostMessage(req, res, await readBody(req));
  }
  if (url.pathname !== '/mcp') return res.writeHead(404).end();
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  if (process.env.MCP_TRANSPORT === 'http-stateless') {
    if (req.method !== 'POST') return res.writeHead(405).end();
    const session = newTransport({ sessionIdGenerator: undefined });
    const server = makeServer();
    res.on('close', () => server.close());
    await server.connect(session.transport);
    return session.handle(req, res, body);
  }
  const id = req.headers['mcp-session-id'];
  let session = typeof id === 'string' ? sessions.get(id) : undefined;
  if (!session) {
    if (id !== undefined || req.method !== 'POST' || body?.method !== 'initialize') return res.writeHead(404).end();
    session = newTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, session);
        process.stdout.write(JSON.stringify({ session: sessionId }) + '\\n');
      },
    });
    await makeServer().connect(session.transport);
  }
  await session.handle(req, res, body);
}

if (process.env.MCP_TRANSPORT === 'stdio') {
  await makeServer().connect(new StdioServerTransport());
} else {
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
}
`;
