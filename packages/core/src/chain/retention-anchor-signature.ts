import { type LoadedSigningKey, signBytes } from '../keys/signing-key.js';
import { GENESIS_HASH, RECORD_VERSION } from '../record/audit-record.js';
import type { RetentionAnchor, RetentionAnchorFields } from '../trail/retention-anchor.js';
import { checkpointSigningPayload } from './checkpoint.js';
import { sealRecord } from './record-hash.js';

/**
 * Signs and seals a retention anchor after `previous` (the chain's last anchor, if any); returns it and its line.
 * Signed like a checkpoint: Ed25519 over the canonical JSON without `sig` and `hash`.
 */
export function signRetentionAnchor(
  fields: RetentionAnchorFields,
  key: LoadedSigningKey,
  previous?: Pick<RetentionAnchor, 'anchor_seq' | 'hash'>,
): { anchor: RetentionAnchor; line: string } {
  const record: Record<string, unknown> = {
    v: RECORD_VERSION,
    type: 'retention',
    anchor_seq: previous ? previous.anchor_seq + 1 : 0,
    anchor_prev: previous ? previous.hash : GENESIS_HASH,
    ...fields,
    alg: 'ed25519',
    key_id: key.id,
    public_key: key.publicKeyBase64,
  };
  record.sig = signBytes(key.privateKey, checkpointSigningPayload(record));
  const { hash, line } = sealRecord(record);
  return { anchor: { ...record, hash } as unknown as RetentionAnchor, line };
}
