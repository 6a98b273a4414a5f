#!/usr/bin/env node
// tooltrail demo: a scripted medical-records assistant (no network, no LLM) whose every tool call is audited.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupToolAudit } from '@tooltrail/core';
import { conversations } from './conversations.mjs';
import { loadDemoKeys } from './demo-keys.mjs';
import { mcpModeRequested, runMcpMode } from './mcp/mcp-mode.mjs';

// `--mode mcp`: the same assistant, its tools behind a real MCP client/server pair, audited with zero code.
if (mcpModeRequested(process.argv)) process.exit(runMcpMode());

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const trailDir = resolve(process.env.TOOLTRAIL_DIR ?? '.tooltrail');
const keys = loadDemoKeys(trailDir);

const audit = setupToolAudit({
  serviceName: 'medical-assistant',
  trail: { dir: trailDir },
  signingKey: keys.signingKey,
  pseudonymKey: keys.pseudonymKey,
  checkpoints: { everyRecords: 5 },
});

const runId = audit.chainId.slice(-4);
console.log('tooltrail demo — scripted medical-records assistant (no network, no LLM)');
console.log(`trail: ${trailDir}   chain: ${audit.chainId}`);
for (const line of keys.notes) console.log(line);
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT)
  console.log(`exporting traces and audit logs over OTLP to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);

const scripts = conversations(runId);
const [physician, nurse, billing, emergency] = Object.keys(scripts);
await scripts[physician](physician);
// Two conversations at once: each record still carries its own user and turn.
await Promise.all([scripts[nurse](nurse), scripts[billing](billing)]);
await scripts[emergency](emergency);

await audit.shutdown();
const stats = audit.stats();
console.log(`\n${stats.records} records written (tool calls and signed checkpoints), ${stats.lost} lost`);
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT)
  console.log(`${stats.exported} audit records exported, ${stats.pendingExport} pending`);

const cli = join(root, 'packages/cli/dist/bin.js');
if (!existsSync(cli)) {
  console.error(`\nthe CLI is not built (${cli}): run \`pnpm build\``);
  process.exit(2);
}
const tooltrail = (...args) => {
  console.log(`\n$ tooltrail ${args.join(' ')}`);
  try {
    process.stdout.write(execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' }));
  } catch (error) {
    process.stdout.write(error.stdout ?? '');
    process.stderr.write(error.stderr ?? '');
    process.exitCode = error.status ?? 1;
  }
};
// The billing conversation shows a failure, the retry that fixed it, and a refund.
tooltrail('timeline', billing, trailDir, '--public-key', keys.publicKeyPath);
tooltrail('verify', trailDir, '--public-key', keys.publicKeyPath);
