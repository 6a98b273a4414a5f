import { enableTargets, type PatchTarget } from '../internal/enable-targets.js';
import type { ToolInstrumentation } from '../types.js';
import { patchMcpClient } from './patch-client.js';
import { patchMcpServer } from './patch-server.js';

/** v1 ships one package with ESM and CJS builds under subpaths; v2 splits client and server packages. */
const TARGETS: PatchTarget[] = [
  {
    package: '@modelcontextprotocol/sdk',
    range: '>=1.10.0 <2',
    modules: [
      { subpath: './client/index.js', patch: patchMcpClient },
      { subpath: './server/index.js', patch: patchMcpServer },
    ],
  },
  {
    package: '@modelcontextprotocol/client',
    range: '>=2.0.0 <3',
    modules: [{ subpath: '.', patch: patchMcpClient }],
  },
  {
    package: '@modelcontextprotocol/server',
    range: '>=2.0.0 <3',
    modules: [{ subpath: '.', patch: patchMcpServer }],
  },
];

/** MCP TypeScript SDK, client and server: `tools/call`, `resources/*`, `prompts/get`, sampling and elicitation. */
export const mcpInstrumentation: ToolInstrumentation = {
  name: 'mcp',
  packages: TARGETS.map((target) => target.package),
  supportedVersions:
    '@modelcontextprotocol/sdk >=1.10.0 <2; @modelcontextprotocol/client, @modelcontextprotocol/server >=2.0.0 <3',
  enable: (context) => enableTargets(TARGETS, context),
};
