import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './collector.js';
import { OtlpSender, SENDER_CANARIES } from './otlp-sender.js';

export const demoMain = join(repoRoot, 'examples', 'medical-assistant', 'src', 'main.mjs');
const coreDist = join(repoRoot, 'packages', 'core', 'dist', 'index.js');

/** PII the demo plants (and the sender plants in non-audit data); none may appear in anything captured. */
export const PII_CANARIES = [...SENDER_CANARIES, '4111111111111111', 'Jane Roe'];

export interface AgentRun {
  source: 'demo' | 'sender';
  /** The canonical JSON lines the agent hashed (local trail for the demo). */
  lines: string[];
  /** Tool spans the agent produced. */
  toolCalls: number;
  /** The public keys its checkpoints are signed with (what a verifier trusts). */
  publicKeys: string[];
}

/** Whether the demo can run here: its entry point exists and `pnpm build` has built core. */
export function demoAvailable(): boolean {
  return existsSync(demoMain) && existsSync(coreDist);
}

/**
 * Runs the medical-assistant demo (the real SDK) or the contract-following sender (controlled failures, PII
 * planted in non-audit data) against `endpoint`.
 */
export async function runAgent(
  kind: AgentRun['source'],
  endpoint: string,
  trailDir: string,
): Promise<AgentRun> {
  if (kind === 'demo') {
    await runDemo(endpoint, trailDir);
    const lines = readTrail(trailDir);
    const toolCalls = lines.filter(
      (line) => (JSON.parse(line) as { type?: string }).type === 'tool_call',
    ).length;
    const publicKey = join(trailDir, 'keys', 'signing-key.pub.pem');
    const publicKeys = existsSync(publicKey) ? [readFileSync(publicKey, 'utf8')] : [];
    return { source: 'demo', lines, toolCalls, publicKeys };
  }
  const sender = new OtlpSender(endpoint);
  const sent = await sender.send([
    { tool: 'lookup_patient', calls: 12, failEvery: 0 },
    { tool: 'order_lab_test', calls: 8, failEvery: 4 },
  ]);
  await sender.finish();
  return { source: 'sender', lines: sender.lines, toolCalls: sent.length, publicKeys: [sender.publicKey] };
}

function runDemo(endpoint: string, trailDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demoMain], {
      cwd: repoRoot,
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_SERVICE_NAME: 'medical-assistant',
        TOOLTRAIL_DIR: trailDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // The demo ends by running the CLI; a CLI that is not built yet says nothing about the pipeline.
      if (code === 0 || (code === 2 && output.includes('the CLI is not built'))) resolve();
      else reject(new Error(`demo exited with ${code}:\n${output}`));
    });
  });
}

/** Every JSON line under the trail directory (the SDK's local trail is JSONL). */
export function readTrail(directory: string): string[] {
  if (!existsSync(directory)) return [];
  const files: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.jsonl$/.test(entry)) files.push(full);
    }
  };
  walk(directory);
  return files.sort().flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim().startsWith('{')),
  );
}
