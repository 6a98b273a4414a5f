import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import type { SigningKey } from '../types.js';

/** A loaded Ed25519 signing key. */
export interface LoadedSigningKey {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Raw 32-byte public key, base64 (as written into checkpoints). */
  publicKeyBase64: string;
}

/** Loads and checks an Ed25519 private key; throws with a clear message when it is not one. */
export function loadSigningKey(key: SigningKey): LoadedSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = typeof key.privateKey === 'string' ? createPrivateKey(key.privateKey) : key.privateKey;
  } catch (error) {
    throw new Error(
      `tooltrail: signing key is not a readable PKCS#8 PEM private key (${(error as Error).message})`,
    );
  }
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `tooltrail: signing key must be an Ed25519 private key, got ${privateKey.asymmetricKeyType} ${privateKey.type}`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  const id = key.id ?? keyFingerprint(raw);
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(id))
    throw new Error(`tooltrail: signing key id ${JSON.stringify(id)} is not valid`);
  return { id, privateKey, publicKey, publicKeyBase64: raw.toString('base64') };
}

/** Generates a new Ed25519 key pair (PEM strings). */
export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Reads a public key from SPKI PEM or raw base64 (32 bytes); throws when it is not Ed25519. */
export function loadPublicKey(source: string | KeyObject): KeyObject {
  if (typeof source !== 'string') return source;
  const text = source.trim();
  const key = text.startsWith('-----BEGIN')
    ? createPublicKey(text)
    : createPublicKey({ key: ed25519Spki(Buffer.from(text, 'base64')), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`tooltrail: public key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

/** Key id derived from the public key: first 16 hex of SHA-256 over its raw bytes. */
export function keyFingerprint(rawPublicKeyBytes: Buffer): string {
  return `ed25519-${createHash('sha256').update(rawPublicKeyBytes).digest('hex').slice(0, 16)}`;
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

export function signBytes(privateKey: KeyObject, data: string): string {
  return sign(null, Buffer.from(data), privateKey).toString('base64');
}

export function verifyBytes(publicKey: KeyObject, data: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(data), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519Spki(raw: Buffer): Buffer {
  if (raw.length !== 32)
    throw new Error(`tooltrail: raw Ed25519 public key must be 32 bytes, got ${raw.length}`);
  return Buffer.concat([ED25519_SPKI_PREFIX, raw]);
}
