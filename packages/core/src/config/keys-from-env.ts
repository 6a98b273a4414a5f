import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorHandler } from '../internal/error-handler.js';
import { generateSigningKeyPair, type LoadedSigningKey, loadSigningKey } from '../keys/signing-key.js';
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
  if (file) return loadSigningKey({ id, privateKey: readSecretFile(file, 'TOOLTRAIL_SIGNING_KEY_FILE') });
  const inline = process.env.TOOLTRAIL_SIGNING_KEY;
  if (inline) return loadSigningKey({ id, privateKey: inline });
  const { privateKeyPath } = ensureLocalSigningKey(trailDir);
  errors.report(
    'local_signing_key',
    `no signing key configured; using ${privateKeyPath}. A key stored beside the trail does not protect against ` +
      'whoever can rewrite the trail: in production set TOOLTRAIL_SIGNING_KEY_FILE to a key kept elsewhere',
  );
  return loadSigningKey({ privateKey: readFileSync(privateKeyPath, 'utf8') });
}

/** Creates `<dir>/keys/signing-key.pem` (0600) and `signing-key.pub.pem` if missing; returns their paths. */
export function ensureLocalSigningKey(trailDir: string): {
  privateKeyPath: string;
  publicKeyPath: string;
  created: boolean;
} {
  const keysDir = join(trailDir, 'keys');
  const privateKeyPath = join(keysDir, 'signing-key.pem');
  const publicKeyPath = join(keysDir, 'signing-key.pub.pem');
  if (existsSync(privateKeyPath)) return { privateKeyPath, publicKeyPath, created: false };
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const pair = generateSigningKeyPair();
  writeFileSync(privateKeyPath, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  writeFileSync(publicKeyPath, pair.publicKeyPem, { mode: 0o644 });
  chmodSync(privateKeyPath, 0o600);
  return { privateKeyPath, publicKeyPath, created: true };
}

/** Pseudonym key: option → `TOOLTRAIL_PSEUDONYM_KEY` (`<id>:<base64>`) → `TOOLTRAIL_PSEUDONYM_KEY_FILE`. */
export function resolvePseudonymKey(option: PseudonymKey | undefined): PseudonymKey | undefined {
  if (option) return option;
  const inline = process.env.TOOLTRAIL_PSEUDONYM_KEY;
  if (inline) return parsePseudonymKey(inline, 'TOOLTRAIL_PSEUDONYM_KEY');
  const file = process.env.TOOLTRAIL_PSEUDONYM_KEY_FILE;
  if (file) return parsePseudonymKey(readSecretFile(file, 'TOOLTRAIL_PSEUDONYM_KEY_FILE').trim(), file);
  return undefined;
}

/** Parses `<id>:<base64 secret>`. */
export function parsePseudonymKey(text: string, where: string): PseudonymKey {
  const at = text.indexOf(':');
  if (at <= 0) throw new Error(`tooltrail: ${where} must look like <key-id>:<base64 secret>`);
  const secret = Buffer.from(text.slice(at + 1).trim(), 'base64');
  return { id: text.slice(0, at), secret };
}

function readSecretFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`tooltrail: cannot read ${name} (${path}): ${(error as Error).message}`);
  }
}
