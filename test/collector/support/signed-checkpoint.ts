import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** An Ed25519 key as the SDK uses it: id = "ed25519-" + 16 hex of SHA-256 over the raw public key. */
export interface TestSigningKey {
  id: string;
  privateKey: KeyObject;
  publicKeyBase64: string;
}

export function testSigningKey(): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const raw = der.subarray(der.length - 32);
  return {
    id: `ed25519-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`,
    privateKey,
    publicKeyBase64: raw.toString('base64'),
  };
}

/**
 * A signed checkpoint record in the record format (docs/record-format.md): it covers seq 0..seq-1, is the
 * chain's genesis at seq 0, and is signed over its canonical JSON without `sig` and `hash`. Independent of
 * core, like the sender, so the tests check core's verifier against a second implementation.
 */
export function signedCheckpoint(
  key: TestSigningKey,
  fields: { chain: string; seq: number; prev: string; ts: string; final: boolean },
): { record: Record<string, unknown>; line: string; hash: string } {
  const record: Record<string, unknown> = {
    v: 1,
    type: 'checkpoint',
    ...fields,
    alg: 'ed25519',
    key_id: key.id,
    public_key: key.publicKeyBase64,
    covers: { from: 0, to: fields.seq - 1 },
    every_records: 1_000_000,
    every_millis: 3_600_000,
  };
  if (fields.seq === 0) record.genesis = true;
  record.sig = sign(null, Buffer.from(canonicalJson(record)), key.privateKey).toString('base64');
  const hash = createHash('sha256').update(canonicalJson(record)).digest('hex');
  record.hash = hash;
  return { record, line: canonicalJson(record), hash };
}
