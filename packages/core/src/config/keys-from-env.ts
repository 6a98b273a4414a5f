import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorHandler } from '../internal/error-handler.js';
import { generateSigningKeyPair, type LoadedSigningKey, loadSigningKey } from '../keys/signing-key.js';
import {
  ensurePrivateDir,
  pathTaken,
  readKeyFile,
  UnsafePathError,
  writeNewFile,
} from '../keys/strict-modes.js';
import type { PseudonymKey, SigningKey } from '../types.js';

/** Signing key: option → `TOOLTRAIL_SIGNING_KEY_FILE` → `TOOLTRAIL_SIGNING_KEY` → generated beside the trail. */
export function resolveSigningKey(
  option: SigningKey | undefined,
  trailDir: string,
  errors: ErrorHandler,
): LoadedSigningKey {
  if (option) return loadSigningKey(option);
  const id = process.env.TOOLTRAIL_SIGNING_KEY_ID || undefined;
  const file = process.env.TOOLTRAIL_SIGNING_KEY_FILE;
  if (file)
    return loadSigningKey({ id, privateKey: readKeyFile(file, 'private', 'TOOLTRAIL_SIGNING_KEY_FILE') });
  const inline = process.env.TOOLTRAIL_SIGNING_KEY;
  if (inline) return loadSigningKey({ id, privateKey: inline });
  let privateKeyPath: string;
  let pem: string;
  try {
    ({ privateKeyPath } = ensureLocalSigningKey(trailDir));
    pem = readKeyFile(privateKeyPath, 'private', 'local signing key');
  } catch (error) {
    // A refused path stops the setup; a trail directory that cannot be made (read-only, full, a file in the way)
    // must not: its records are counted lost like any unwritable trail, and this process signs with its own key.
    if (error instanceof UnsafePathError) throw error;
    errors.report(
      'signing_key_in_memory',
      `cannot create or read the local signing key in ${join(trailDir, 'keys')}; this process signs with a key ` +
        'kept in memory only (its public key is in ToolAudit.publicKey and in every checkpoint)',
      error,
    );
    return loadSigningKey({ privateKey: generateSigningKeyPair().privateKeyPem });
  }
  errors.report(
    'local_signing_key',
    `no signing key configured; using ${privateKeyPath}. A key stored beside the trail does not protect against ` +
      'whoever can rewrite the trail: in production set TOOLTRAIL_SIGNING_KEY_FILE to a key kept elsewhere',
  );
  return loadSigningKey({ privateKey: pem });
}

/**
 * Creates `<dir>/keys/signing-key.pem` (0600) and `signing-key.pub.pem` (0644) if the private key is missing;
 * returns their paths. The trail and keys directories are created 0700 and checked (no link, not writable by
 * group or others, owned by this user); key files are created exclusively, never through a link.
 */
export function ensureLocalSigningKey(trailDir: string): {
  privateKeyPath: string;
  publicKeyPath: string;
  created: boolean;
} {
  const keysDir = join(trailDir, 'keys');
  const privateKeyPath = join(keysDir, 'signing-key.pem');
  const publicKeyPath = join(keysDir, 'signing-key.pub.pem');
  ensurePrivateDir(trailDir, 'trail directory');
  ensurePrivateDir(keysDir, 'keys directory');
  if (pathTaken(privateKeyPath)) return { privateKeyPath, publicKeyPath, created: false };
  const pair = generateSigningKeyPair();
  writeNewFile(privateKeyPath, pair.privateKeyPem, 0o600);
  // A public key left from an earlier key (or a link planted there) is replaced, never written through.
  if (pathTaken(publicKeyPath)) unlinkSync(publicKeyPath);
  writeNewFile(publicKeyPath, pair.publicKeyPem, 0o644);
  return { privateKeyPath, publicKeyPath, created: true };
}

/**
 * Creates `<dir>/keys/pseudonym.key` (`<id>:<32 random bytes, base64>`, 0600) if nothing is there, with the
 * same directory checks and exclusive creation as `ensureLocalSigningKey`; read it with `readKeyFile`.
 */
export function ensureLocalPseudonymKey(trailDir: string, id = 'local1'): { path: string; created: boolean } {
  const keysDir = join(trailDir, 'keys');
  const path = join(keysDir, 'pseudonym.key');
  ensurePrivateDir(trailDir, 'trail directory');
  ensurePrivateDir(keysDir, 'keys directory');
  if (pathTaken(path)) return { path, created: false };
  writeNewFile(path, `${id}:${randomBytes(32).toString('base64')}\n`, 0o600);
  return { path, created: true };
}

/** Pseudonym key: option → `TOOLTRAIL_PSEUDONYM_KEY` (`<id>:<base64>`) → `TOOLTRAIL_PSEUDONYM_KEY_FILE`. */
export function resolvePseudonymKey(option: PseudonymKey | undefined): PseudonymKey | undefined {
  if (option) return option;
  const inline = process.env.TOOLTRAIL_PSEUDONYM_KEY;
  if (inline) return parsePseudonymKey(inline, 'TOOLTRAIL_PSEUDONYM_KEY');
  const file = process.env.TOOLTRAIL_PSEUDONYM_KEY_FILE;
  if (file)
    return parsePseudonymKey(readKeyFile(file, 'private', 'TOOLTRAIL_PSEUDONYM_KEY_FILE').trim(), file);
  return undefined;
}

/** Parses `<id>:<base64 secret>`. */
export function parsePseudonymKey(text: string, where: string): PseudonymKey {
  const at = text.indexOf(':');
  if (at <= 0) throw new Error(`tooltrail: ${where} must look like <key-id>:<base64 secret>`);
  const secret = Buffer.from(text.slice(at + 1).trim(), 'base64');
  return { id: text.slice(0, at), secret };
}
