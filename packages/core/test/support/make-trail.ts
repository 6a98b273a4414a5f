import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditTool, generateSigningKeyPair, setupToolAudit, withAuditContext } from '../../src/index.js';

export interface GeneratedTrail {
  dir: string;
  file: string;
  lines: string[];
  publicKeyPem: string;
  privateKeyPem: string;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'tooltrail-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes a real trail: the signed genesis checkpoint (seq 0, so `lines[0]` is no tool call), `calls` tool calls
 * from seq 1, a checkpoint every `every` records, and the final checkpoint.
 */
export async function makeTrail(options: { calls: number; every: number }): Promise<GeneratedTrail> {
  const dir = tempDir();
  const keys = generateSigningKeyPair();
  const audit = setupToolAudit({
    trail: { dir },
    signingKey: { privateKey: keys.privateKeyPem },
    checkpoints: { everyRecords: options.every, everyMillis: 3_600_000 },
    register: false,
    exitHooks: false,
  });
  const lookup = auditTool('lookup_order', async (args: { order_id: string }) => ({
    order_id: args.order_id,
    status: 'shipped',
  }));
  await withAuditContext({ userId: 'u1', conversationId: 'conv_1', turn: 1 }, async () => {
    for (let i = 0; i < options.calls; i++) await lookup({ order_id: `ORD-${i}` });
  });
  await audit.shutdown();
  const file = join(dir, readdirSync(dir).find((name) => name.endsWith('.jsonl'))!);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return { dir, file, lines, publicKeyPem: keys.publicKeyPem, privateKeyPem: keys.privateKeyPem };
}

/** Rewrites the trail file with these lines. */
export function writeLines(trail: GeneratedTrail, lines: string[]): void {
  writeFileSync(trail.file, `${lines.join('\n')}\n`);
}
