import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLocalSigningKey, parsePseudonymKey } from '@tooltrail/core';

/**
 * Demo keys: generated on first run into <trail>/keys with 0600 permissions. Production keys come from env or
 * a file kept away from the trail (TOOLTRAIL_SIGNING_KEY_FILE, TOOLTRAIL_PSEUDONYM_KEY_FILE).
 */
export function loadDemoKeys(trailDir) {
  const notes = [];
  const signing = ensureLocalSigningKey(trailDir);
  const pseudonymPath = join(trailDir, 'keys', 'pseudonym.key');
  const createdPseudonym = !existsSync(pseudonymPath);
  if (createdPseudonym) {
    writeFileSync(pseudonymPath, `demo1:${randomBytes(32).toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(pseudonymPath, 0o600);
  }
  if (signing.created || createdPseudonym)
    notes.push(`generated demo keys in ${join(trailDir, 'keys')} (0600)`);
  notes.push(
    'note: demo keys live beside the trail; production keys come from env or a file kept elsewhere',
    '      (TOOLTRAIL_SIGNING_KEY_FILE, TOOLTRAIL_PSEUDONYM_KEY_FILE)',
  );
  return {
    signingKey: { privateKey: readFileSync(signing.privateKeyPath, 'utf8') },
    pseudonymKey: parsePseudonymKey(readFileSync(pseudonymPath, 'utf8').trim(), pseudonymPath),
    publicKeyPath: signing.publicKeyPath,
    notes,
  };
}
