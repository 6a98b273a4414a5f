import { constants, copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureLocalPseudonymKey,
  ensureLocalSigningKey,
  parsePseudonymKey,
  readKeyFile,
} from '@tooltrail/core/internal';

/**
 * Demo keys: generated on first run into <trail>/keys with 0600 permissions. Production keys come from env or
 * a file kept away from the trail (TOOLTRAIL_SIGNING_KEY_FILE, TOOLTRAIL_PSEUDONYM_KEY_FILE).
 */
export function loadDemoKeys(trailDir) {
  const notes = [];
  const signing = ensureLocalSigningKey(trailDir);
  // Created 0600 and exclusively (never through a link); read back only if still private (OpenSSH StrictModes).
  const pseudonym = ensureLocalPseudonymKey(trailDir, 'demo1');
  const pseudonymPath = pseudonym.path;
  const createdPseudonym = pseudonym.created;
  if (signing.created || createdPseudonym)
    notes.push(`generated demo keys in ${join(trailDir, 'keys')} (0600)`);
  notes.push(
    'note: demo keys live beside the trail; production keys come from env or a file kept elsewhere',
    '      (TOOLTRAIL_SIGNING_KEY_FILE, TOOLTRAIL_PSEUDONYM_KEY_FILE)',
  );
  // The key a verifier trusts must not live where the trail's writer (or an attacker with the same access) could
  // replace it: the demo keeps a copy beside the trail directory, taken when the key was made (trust on first use).
  const trustedPublicKeyPath = `${trailDir}.trusted-key.pub.pem`;
  if (signing.created || !existsSync(trustedPublicKeyPath)) {
    rmSync(trustedPublicKeyPath, { force: true });
    copyFileSync(signing.publicKeyPath, trustedPublicKeyPath, constants.COPYFILE_EXCL);
    notes.push(`pinned the demo's public key outside the trail: ${trustedPublicKeyPath}`);
  }
  return {
    signingKey: { privateKey: readKeyFile(signing.privateKeyPath, 'private') },
    pseudonymKey: parsePseudonymKey(readKeyFile(pseudonymPath, 'private').trim(), pseudonymPath),
    publicKeyPath: trustedPublicKeyPath,
    notes,
  };
}
