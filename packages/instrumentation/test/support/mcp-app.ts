import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackage } from '../../src/internal/find-package.js';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REPO_DIR = resolve(PACKAGE_DIR, '../..');

export type ModuleFormat = 'esm' | 'cjs';

/** The MCP packages an app gets, as `<name in the app>: <devDependency alias in this package>`. */
export interface McpApp {
  major: 1 | 2;
  packages: Record<string, string>;
}

export const MCP_V1_LATEST: McpApp = {
  major: 1,
  packages: { '@modelcontextprotocol/sdk': '@modelcontextprotocol/sdk' },
};
export const MCP_V1_MIN: McpApp = { major: 1, packages: { '@modelcontextprotocol/sdk': 'mcp-sdk-1-10' } };
export const MCP_V1_TOO_OLD: McpApp = { major: 1, packages: { '@modelcontextprotocol/sdk': 'mcp-sdk-1-9' } };
export const MCP_V2_LATEST: McpApp = {
  major: 2,
  packages: {
    '@modelcontextprotocol/client': '@modelcontextprotocol/client',
    '@modelcontextprotocol/server': '@modelcontextprotocol/server',
  },
};
export const MCP_V2_MIN: McpApp = {
  major: 2,
  packages: {
    '@modelcontextprotocol/client': 'mcp-client-2-0',
    '@modelcontextprotocol/server': 'mcp-server-2-0',
  },
};

/**
 * A throwaway application directory, laid out like a user's: `node_modules` links to the real packages (the
 * chosen MCP version, zod as that SDK resolves it, tooltrail) and one agent file in the chosen module format.
 * The agent has no tooltrail code except `withAuditContext` to say who the user is.
 */
export function createMcpApp(app: McpApp, format: ModuleFormat): { dir: string; entry: string } {
  const dir = linkMcpApp(app);
  const entry = join(dir, format === 'esm' ? 'agent.mjs' : 'agent.cjs');
  writeFileSync(entry, `${header(app.major, format)}\n${AGENT_BODY}`);
  return { dir, entry };
}

/** A throwaway directory whose `node_modules` links the chosen MCP version, its zod and tooltrail. */
export function linkMcpApp(app: McpApp): string {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-mcp-app-'));
  const link = (name: string, target: string) => {
    const path = join(dir, 'node_modules', name);
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(target, path, 'dir');
  };
  let zodFrom = '';
  for (const [name, alias] of Object.entries(app.packages)) {
    const real = realpathSync(join(PACKAGE_DIR, 'node_modules', alias));
    link(name, real);
    zodFrom ||= real;
  }
  // The zod the SDK itself depends on, so the agent's schemas are the kind that SDK version understands.
  const zod = findPackage('zod', zodFrom);
  if (!zod) throw new Error(`no zod next to ${zodFrom}`);
  link('zod', zod.dir);
  link('@tooltrail/instrumentation', PACKAGE_DIR);
  link('@tooltrail/core', join(REPO_DIR, 'packages/core'));
  return dir;
}

function header(major: 1 | 2, format: ModuleFormat): string {
  const modules: [string, string][] =
    major === 1
      ? [
          ['Client', '@modelcontextprotocol/sdk/client/index.js'],
          ['StdioClientTransport', '@modelcontextprotocol/sdk/client/stdio.js'],
          ['McpServer', '@modelcontextprotocol/sdk/server/mcp.js'],
          ['StdioServerTransport', '@modelcontextprotocol/sdk/server/stdio.js'],
          ['InMemoryTransport', '@modelcontextprotocol/sdk/inMemory.js'],
        ]
      : [
          ['Client', '@modelcontextprotocol/client'],
          ['StdioClientTransport', '@modelcontextprotocol/client/stdio'],
          ['McpServer', '@modelcontextprotocol/server'],
          ['StdioServerTransport', '@modelcontextprotocol/server/stdio'],
          ['InMemoryTransport', '@modelcontextprotocol/client'],
        ];
  modules.push(['withAuditContext', '@tooltrail/core'], ['z', 'zod']);
  const lines = modules.map(([name, from]) =>
    format === 'esm' ? `import { ${name} } from '${from}';` : `const { ${name} } = require('${from}');`,
  );
  lines.push(
    major === 1
      ? 'const addTool = (server, name, shape, handler) => server.tool(name, shape, handler);'
      : 'const addTool = (server, name, shape, handler) => server.registerTool(name, { inputSchema: z.object(shape) }, handler);',
  );
  return lines.join('\n');
}

/** Identical bytes in every app: only the import header differs between ESM and CJS, v1 and v2. */
const AGENT_BODY = `
const SSN = '123-45-6789';

function makeServer() {
  const server = new McpServer({ name: 'records-server', version: '1.0.0' });
  addTool(server, 'lookup_patient', { patient_id: z.string(), ssn: z.string() }, async ({ patient_id }) => ({
    content: [{ type: 'text', text: JSON.stringify({ patient_id, name: 'Jane Doe', status: 'active' }) }],
  }));
  addTool(server, 'fail_tool', { reason: z.string() }, async ({ reason }) => {
    throw new Error('cannot do it: ' + reason);
  });
  return server;
}

async function main() {
  if (process.env.MCP_ROLE === 'server') {
    await makeServer().connect(new StdioServerTransport());
    return;
  }
  const client = new Client({ name: 'fixture-agent', version: '1.0.0' });
  if (process.env.MCP_TRANSPORT === 'stdio') {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [...process.execArgv, process.argv[1]],
        env: { ...process.env, MCP_ROLE: 'server', TOOLTRAIL_DIR: process.env.SERVER_TRAIL_DIR },
      }),
    );
  } else {
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await makeServer().connect(serverTransport);
    await client.connect(clientTransport);
  }
  const attribution = { userId: 'dr-house', userRole: 'physician', conversationId: 'conv-1', turn: 3, purpose: 'treatment' };
  const results = await withAuditContext(attribution, async () => [
    await client.callTool({ name: 'lookup_patient', arguments: { patient_id: 'P-123', ssn: SSN } }),
    await client.callTool({ name: 'fail_tool', arguments: { reason: 'boom' } }),
  ]);
  process.stdout.write(JSON.stringify({ results }) + '\\n');
  await client.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
