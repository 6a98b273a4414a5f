import { canonicalize } from '../canonical/canonical-json.js';
import type { LoadedSigningKey } from '../keys/signing-key.js';
import { signBytes } from '../keys/signing-key.js';
import type { HashChain, SealedRecord } from './hash-chain.js';

/** The bytes a checkpoint's signature covers: canonical JSON of the record without `sig` and `hash`. */
export function checkpointSigningPayload(record: Record<string, unknown>): string {
  const { sig: _sig, hash: _hash, ...signed } = record;
  return canonicalize(signed);
}

/**
 * Appends a signed checkpoint vouching for every record of the chain so far. Its `prev` is the head hash, so
 * the signature commits to the whole chain: rewriting any earlier record needs the private key.
 */
export function appendCheckpoint(
  chain: HashChain,
  key: LoadedSigningKey,
  options: { from: number; everyRecords: number; final: boolean; ts: string },
): SealedRecord {
  const record: Record<string, unknown> = {
    ...chain.prepare('checkpoint', options.ts),
    alg: 'ed25519',
    key_id: key.id,
    public_key: key.publicKeyBase64,
    covers: { from: options.from, to: chain.nextSeq - 1 },
    every_records: options.everyRecords,
    final: options.final,
  };
  record.sig = signBytes(key.privateKey, checkpointSigningPayload(record));
  return chain.appendPrepared(record);
}
