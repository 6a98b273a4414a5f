import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendCheckpoint } from '../../../core/src/chain/checkpoint.js';
import { HashChain } from '../../../core/src/chain/hash-chain.js';
import { generateSigningKeyPair, loadSigningKey } from '../../../core/src/keys/signing-key.js';

export interface OldCall {
  ts: string;
  retention: string;
  tool?: string;
}

/**
 * Writes a trail whose timestamps the test controls: one file per segment, each ending with a signed
 * checkpoint (the last one final), sealed exactly as the SDK seals records.
 */
export function writeOldTrail(
  dir: string,
  chain: string,
  segments: OldCall[][],
  privateKeyPem = generateSigningKeyPair().privateKeyPem,
): { privateKeyPem: string; lines: string[][] } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = loadSigningKey({ privateKey: privateKeyPem });
  const hashChain = new HashChain({ id: chain });
  const lines: string[][] = [];
  for (const [index, calls] of segments.entries()) {
    const segment: string[] = [];
    if (hashChain.nextSeq === 0) {
      // The signed genesis checkpoint, dated like the first call.
      const ts = calls[0]?.ts ?? '2020-01-01T00:00:00.000Z';
      segment.push(
        appendCheckpoint(hashChain, key, { everyRecords: 100, everyMillis: 60_000, final: false, ts }).line,
      );
    }
    for (const [i, call] of calls.entries()) {
      const tool = call.tool ?? 'lookup_order';
      segment.push(
        hashChain.append('tool_call', call.ts, {
          trace_id: null,
          span_id: null,
          tool,
          call_id: null,
          args: { order_id: `ORD-${index}-${i}` },
          result: { success: true, size: 10, truncated: false },
          success: true,
          error: null,
          duration_ms: 1,
          user: 'u1',
          role: 'clerk',
          conversation: 'conv_old',
          turn: 1,
          model: null,
          trigger: 'user_request',
          purpose: null,
          subject: null,
          retention: call.retention,
        }).line,
      );
    }
    const last = calls[calls.length - 1]?.ts ?? '2020-01-01T00:00:00.000Z';
    segment.push(
      appendCheckpoint(hashChain, key, {
        everyRecords: 100,
        everyMillis: 60_000,
        final: index === segments.length - 1,
        ts: last,
      }).line,
    );
    writeFileSync(join(dir, `${chain}.${String(index).padStart(6, '0')}.jsonl`), `${segment.join('\n')}\n`, {
      mode: 0o600,
    });
    lines.push(segment);
  }
  return { privateKeyPem, lines };
}

/** Writes `<dir>/keys/signing-key.pem` and `.pub.pem` as the SDK does. */
export function writeKeys(
  dir: string,
  privateKeyPem: string,
): { publicKeyPath: string; privateKeyPath: string } {
  const keys = join(dir, 'keys');
  mkdirSync(keys, { recursive: true, mode: 0o700 });
  const loaded = loadSigningKey({ privateKey: privateKeyPem });
  const privateKeyPath = join(keys, 'signing-key.pem');
  const publicKeyPath = join(keys, 'signing-key.pub.pem');
  writeFileSync(privateKeyPath, privateKeyPem, { mode: 0o600 });
  writeFileSync(publicKeyPath, loaded.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { publicKeyPath, privateKeyPath };
}
