import type { KeyObject } from 'node:crypto';
import { checkpointSigningPayload } from '../chain/checkpoint.js';
import { computeRecordHash, sha256Hex } from '../chain/record-hash.js';
import { keyFingerprint, loadPublicKey, rawPublicKey, verifyBytes } from '../keys/signing-key.js';
import type { ChainedFields } from '../record/audit-record.js';

/** 64 lowercase hex digits (a loop: the regex was a visible share of verify time). */
function isHex64(text: string): boolean {
  if (text.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * A record as the verifier reads it: the chained fields (`ChainedFields`) it must carry to be verified at all, `ts`
 * not checked, any other field passed through.
 */
export type ChainFields = Omit<ChainedFields, 'ts'> & { [field: string]: unknown };

/** Why a parsed line is not a chained record, or undefined when it is one. */
export function malformedReason(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if (record.v !== 1) return `unsupported record version ${JSON.stringify(record.v)}`;
  if (typeof record.type !== 'string' || record.type === '') return 'missing type';
  if (typeof record.chain !== 'string' || record.chain === '') return 'missing chain';
  if (!Number.isSafeInteger(record.seq) || (record.seq as number) < 0)
    return 'seq is not a non-negative integer';
  if (typeof record.prev !== 'string' || !isHex64(record.prev)) return 'prev is not 64 lowercase hex digits';
  if (typeof record.hash !== 'string' || !isHex64(record.hash)) return 'hash is not 64 lowercase hex digits';
  return undefined;
}

/**
 * Whether `hash` is the SHA-256 of the record's canonical JSON without `hash`. Fast path: the stored line is
 * canonical, so dropping its hash member gives the hashed bytes exactly; a line re-serialised elsewhere
 * (other key order or spacing) falls back to canonicalising the parsed record.
 */
export function hashMatches(text: string, record: ChainFields): boolean {
  const member = `"hash":"${record.hash}"`;
  const at = text.indexOf(member);
  if (at > 0) {
    const before = text.charCodeAt(at - 1);
    const unhashed =
      before === 44 // ',' before the member: remove ",member"
        ? text.slice(0, at - 1) + text.slice(at + member.length)
        : text.charCodeAt(at + member.length) === 44 // first member: remove "member,"
          ? text.slice(0, at) + text.slice(at + member.length + 1)
          : text.slice(0, at) + text.slice(at + member.length);
    if (sha256Hex(unhashed) === record.hash) return true;
  }
  try {
    return computeRecordHash(record) === record.hash;
  } catch {
    return false;
  }
}

/** Pinned verification keys: key id → public key, or a list of keys accepted under any id. */
export type PublicKeys = Record<string, string | KeyObject> | Array<string | KeyObject>;

/** The outcome of checking a checkpoint's (or an anchor's) signature. */
export type SignatureCheck = { problem: string; key?: undefined } | { problem?: undefined; key: string };

/**
 * Checks a checkpoint's Ed25519 signature. Valid: `key` is the raw public key (base64) that verified it, so
 * "one key per chain" compares keys, never labels. A `key_id` in fingerprint form must be that key's
 * fingerprint, and an embedded `public_key` must be that key.
 */
export function checkSignature(
  record: ChainFields,
  pinned: KeyObject[] | Map<string, KeyObject> | undefined,
): SignatureCheck {
  if (record.alg !== 'ed25519' || typeof record.sig !== 'string' || typeof record.key_id !== 'string') {
    return { problem: 'checkpoint without an ed25519 signature' };
  }
  // The decoder also takes other spellings of the same bytes (no padding, URL-safe, whitespace, junk after the
  // padding): the final checkpoint re-spelled and re-hashed would verify, a line the writer never wrote.
  if (!isCanonicalSignature(record.sig))
    return { problem: 'signature is not the canonical base64 of 64 bytes the writer emits' };
  let payload: ReturnType<typeof checkpointSigningPayload>;
  try {
    payload = checkpointSigningPayload(record);
  } catch (error) {
    // A value canonical JSON cannot hold (a lone surrogate from a crafted escape): the writer never signs one.
    return { problem: `checkpoint cannot be canonicalised: ${(error as Error).message}` };
  }
  let candidates: KeyObject[];
  if (pinned instanceof Map) {
    const key = pinned.get(record.key_id);
    if (!key) return { problem: `checkpoint signed with key ${record.key_id}, which is not pinned` };
    candidates = [key];
  } else if (pinned) {
    candidates = pinned;
  } else {
    if (typeof record.public_key !== 'string')
      return { problem: 'checkpoint carries no public key and none is pinned' };
    const key = embeddedKey(record.public_key);
    if (!key) return { problem: 'checkpoint public key is not a valid Ed25519 key' };
    candidates = [key];
  }
  const signer = candidates.find((key) => verifyBytes(key, payload, record.sig as string));
  if (!signer)
    return {
      problem: pinned ? 'signature does not verify with the pinned public key' : 'signature does not verify',
    };
  const raw = rawKeyBase64(signer);
  if (typeof record.public_key === 'string' && record.public_key !== raw)
    return { problem: 'checkpoint embeds a public key other than the one that verified its signature' };
  if (FINGERPRINT.test(record.key_id) && record.key_id !== keyFingerprint(Buffer.from(raw, 'base64')))
    return {
      problem: `key_id ${record.key_id} is not the fingerprint of the key that signed the checkpoint`,
    };
  return { key: raw };
}

/** Padded standard base64 of exactly 64 bytes (an Ed25519 signature), in the one spelling that round-trips. */
function isCanonicalSignature(sig: string): boolean {
  const bytes = Buffer.from(sig, 'base64');
  return bytes.length === 64 && bytes.toString('base64') === sig;
}

const FINGERPRINT = /^ed25519-[0-9a-f]{16}$/;
const rawKeys = new WeakMap<KeyObject, string>();

/** The raw 32-byte public key, base64, of a public key object (cached per object). */
function rawKeyBase64(key: KeyObject): string {
  let raw = rawKeys.get(key);
  if (raw === undefined) {
    raw = rawPublicKey(key).toString('base64');
    rawKeys.set(key, raw);
  }
  return raw;
}

/** Keys embedded in checkpoints, parsed once per distinct key (a chain repeats its key in every checkpoint). */
const embeddedKeys = new Map<string, KeyObject | null>();

function embeddedKey(text: string): KeyObject | undefined {
  let key = embeddedKeys.get(text);
  if (key === undefined) {
    try {
      key = loadPublicKey(text);
    } catch {
      key = null;
    }
    if (embeddedKeys.size >= 64) embeddedKeys.clear();
    embeddedKeys.set(text, key);
  }
  return key ?? undefined;
}
