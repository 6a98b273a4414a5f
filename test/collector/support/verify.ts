import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * Records in chain order. Delivery order is not chain order: the persistent queue puts a request that was in
 * flight at a collector restart back at its tail, and Loki returns entries by timestamp anyway.
 */
export function inChainOrder(lines: string[]): string[] {
  const key = (line: string) => JSON.parse(line) as { chain: string; seq: number };
  return [...lines].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x.chain.localeCompare(y.chain) || x.seq - y.seq;
  });
}

/**
 * Verifies audit records given as canonical JSON strings (what Loki and the archive hold) with core, trusting
 * `publicKeys` (raw base64 or PEM) for the checkpoint signatures: only then can the verdict be `intact`.
 */
export async function verifyLines(lines: string[], publicKeys?: string[]) {
  const { verifyTrail } = await import('@tooltrail/core');
  // A generator, not an array: verifyTrail reads an array as a list of file paths.
  return verifyTrail(
    (function* () {
      yield* lines;
    })(),
    publicKeys ? { publicKeys } : {},
  );
}

/**
 * An independent recomputation (no core code): per chain, contiguous seq, prev links and SHA-256 of the
 * canonical record without `hash`. Also requires each line to be exactly its own canonical form.
 */
export function recomputeChains(lines: string[]): string[] {
  const problems: string[] = [];
  const chains = new Map<string, Array<Record<string, unknown>>>();
  for (const line of lines) {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (canonicalJson(record) !== line) problems.push(`not canonical: ${line.slice(0, 80)}`);
    const chain = String(record.chain);
    chains.set(chain, [...(chains.get(chain) ?? []), record]);
  }
  for (const [chain, records] of chains) {
    records.sort((a, b) => Number(a.seq) - Number(b.seq));
    let prev = '0'.repeat(64);
    records.forEach((record, index) => {
      const { hash, ...rest } = record;
      if (record.seq !== index) problems.push(`${chain}: expected seq ${index}, got ${String(record.seq)}`);
      if (record.prev !== prev) problems.push(`${chain}#${index}: prev does not link`);
      const expected = createHash('sha256').update(canonicalJson(rest)).digest('hex');
      if (hash !== expected) problems.push(`${chain}#${index}: hash mismatch`);
      prev = String(hash);
    });
  }
  return problems;
}
