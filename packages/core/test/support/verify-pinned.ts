import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type VerifyTrailOptions, verifyTrail } from '../../src/index.js';

/**
 * Verifies a trail the SDK wrote with its generated key, pinning that key (`<dir>/keys/signing-key.pub.pem`):
 * only a pinned key can make a verdict "intact". Tests that configure their own key pin it themselves.
 */
export async function verifyPinned(dir: string, options: VerifyTrailOptions = {}) {
  const file = join(dir, 'keys', 'signing-key.pub.pem');
  if (!existsSync(file)) throw new Error(`verifyPinned: no generated public key at ${file}`);
  return verifyTrail(dir, { publicKeys: [readFileSync(file, 'utf8')], ...options });
}
