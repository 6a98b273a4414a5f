// The same scripted assistant as the default mode, but its tools live in an MCP server (a child process over
// stdio) and are called through a real MCP client. No tooltrail code here: this process is started with
// `node --import @tooltrail/instrumentation/register`, which audits every callTool.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { conversations } from '../conversations.mjs';
import { tools } from '../tools.mjs';

const client = new Client({ name: 'medical-assistant', version: '1.0.0' });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    // The server gets the same `--import` flag: it audits its side of every call.
    args: [...process.execArgv, fileURLToPath(new URL('./records-server.mjs', import.meta.url))],
    env: { ...process.env, OTEL_SERVICE_NAME: 'medical-records-mcp-server' },
    stderr: 'inherit',
  }),
);

/** An MCP tool as a plain async function: JSON in, JSON out, `isError` results thrown. */
const viaMcp = (name) => async (args) => {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content?.find((block) => block.type === 'text')?.text ?? '';
  if (result.isError) throw new Error(text);
  return JSON.parse(text);
};

// The conversation script calls `tools.<name>(args)`: point each name at the MCP server instead. The scripts
// are unchanged; the default mode's audited wrappers are never called in this mode.
for (const name of Object.keys(tools)) tools[name] = viaMcp(name);

const scripts = conversations(process.env.DEMO_RUN_ID ?? 'mcp0');
const [physician, nurse, billing, emergency] = Object.keys(scripts);
await scripts[physician](physician);
await Promise.all([scripts[nurse](nurse), scripts[billing](billing)]);
await scripts[emergency](emergency);
await client.close();
process.stdout.write(`${JSON.stringify({ conversations: [physician, nurse, billing, emergency] })}\n`);
