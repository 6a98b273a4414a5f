import { canonicalize } from '../canonical/canonical-json.js';
import type { LoadedSigningKey } from '../keys/signing-key.js';
import { signBytes } from '../keys/signing-key.js';
import type { HashChain, SealedRecord } from './hash-chain.js';

/** The bytes a checkpoint's signature covers: canonical JSON of the record without `sig` and `hash`. */
export function checkpointSigningPayload(record: Record<string, unknown>): string {
  const { sig: _sig, hash: _hash, ...signed } = record;
  return canonicalize(signed);
}

/** The checkpoint policy a chain is written under: committed to by its genesis and every later checkpoint. */
export interface CheckpointPolicy {
  everyRecords: number;
  everyMillis: number;
}

/**
 * Appends a signed checkpoint vouching for every record of the chain so far. Its `prev` is the head hash, so
 * the signature commits to the whole chain: rewriting any earlier record needs the private key.
 * The checkpoint at seq 0 is the chain's genesis (`genesis: true`): it commits to the chain id, the key and the
 * policy before any record exists, so a chain stripped of its checkpoints, or forged whole, cannot pass.
 */
export function appendCheckpoint(
  chain: HashChain,
  key: LoadedSigningKey,
  options: CheckpointPolicy & { final: boolean; ts: string },
): SealedRecord {
  const genesis = chain.nextSeq === 0;
  const record: Record<string, unknown> = {
    ...chain.prepare('checkpoint', options.ts),
    alg: 'ed25519',
    key_id: key.id,
    public_key: key.publicKeyBase64,
    covers: { from: 0, to: chain.nextSeq - 1 },
    every_records: options.everyRecords,
    every_millis: options.everyMillis,
    final: options.final,
  };
  if (genesis) record.genesis = true;
  record.sig = signBytes(key.privateKey, checkpointSigningPayload(record));
  return chain.appendPrepared(record);
}
