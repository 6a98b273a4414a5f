// `pnpm demo -- --mode mcp`: the assistant and its tools in two processes, audited with zero code changes.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDemoKeys } from '../demo-keys.mjs';

/** True when the command line asks for MCP mode (`--mode mcp` or `--mode=mcp`). */
export function mcpModeRequested(argv) {
  const index = argv.indexOf('--mode');
  return argv.includes('--mode=mcp') || (index >= 0 && argv[index + 1] === 'mcp');
}

/** Runs the MCP demo; returns the exit code. */
export function runMcpMode() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
  const trailDir = resolve(process.env.TOOLTRAIL_DIR ?? '.tooltrail');
  const keys = loadDemoKeys(trailDir);
  const runId = randomBytes(2).toString('hex');
  const register = import.meta.resolve('@tooltrail/instrumentation/register');

  console.log(
    'tooltrail demo, MCP mode: the assistant calls its tools through a real MCP client/server pair',
  );
  console.log(`trail: ${trailDir}`);
  console.log(`zero-code: node --import @tooltrail/instrumentation/register (agent and MCP server)`);
  for (const line of keys.notes) console.log(line);

  const agent = spawnSync(
    process.execPath,
    ['--import', register, fileURLToPath(new URL('./agent.mjs', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        TOOLTRAIL_DIR: trailDir,
        TOOLTRAIL_SIGNING_KEY_FILE: join(trailDir, 'keys', 'signing-key.pem'),
        TOOLTRAIL_PSEUDONYM_KEY_FILE: join(trailDir, 'keys', 'pseudonym.key'),
        TOOLTRAIL_CHECKPOINT_EVERY: '5',
        // Framework hooks have no per-tool subject extractor: name the argument that identifies the patient.
        TOOLTRAIL_SUBJECT_KEYS: 'patient_id=patient',
        OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'medical-assistant',
        DEMO_RUN_ID: runId,
      },
    },
  );
  if (agent.status !== 0) {
    console.error(`the MCP agent failed (exit ${agent.status ?? agent.signal})`);
    return 1;
  }
  const { conversations } = JSON.parse(agent.stdout.trim().split('\n').pop());
  console.log(`${conversations.length} conversations done; records from the agent and the MCP server`);

  const cli = join(root, 'packages/cli/dist/bin.js');
  if (!existsSync(cli)) {
    console.error(`\nthe CLI is not built (${cli}): run \`pnpm build\``);
    return 2;
  }
  let code = 0;
  for (const args of [
    ['timeline', conversations[0], trailDir, '--public-key', keys.publicKeyPath],
    ['verify', trailDir, '--public-key', keys.publicKeyPath],
  ]) {
    console.log(`\n$ tooltrail ${args.join(' ')}`);
    try {
      process.stdout.write(execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' }));
    } catch (error) {
      process.stdout.write(error.stdout ?? '');
      process.stderr.write(error.stderr ?? '');
      code = error.status ?? 1;
    }
  }
  return code;
}
