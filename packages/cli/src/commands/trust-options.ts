import { delimiter } from 'node:path';
import { readKeyFile } from '@tooltrail/core/internal';
import { loadPublicKey } from '@tooltrail/core/verify';
import { openSource } from '../sources/open-source.js';
import type { RecordSource } from '../sources/record-source.js';
import { InputError } from '../usage-error.js';
import { durationFlag } from './common-options.js';

/** What makes a verdict trustworthy: pinned keys, a witness, and the live window. Shared by every command. */
export const TRUST_OPTIONS = {
  'public-key': { type: 'string', multiple: true },
  witness: { type: 'string', multiple: true },
  live: { type: 'string' },
} as const;

/** The usage line's part for the trust options. */
export const TRUST_USAGE = '[--public-key FILE]... [--witness SRC]... [--live DURATION]';

export const TRUST_HELP = `  --public-key FILE   trusted checkpoint key (SPKI PEM or raw base64), kept away from the trail; repeatable
                      (default: the files in $TOOLTRAIL_PUBLIC_KEY_FILE). Without one, nothing is reported
                      intact: whoever rewrites a trail can re-sign it
  --witness SRC       compare with another copy of the records (collector archive, loki+http://…,
                      another trail directory): catches rollbacks and deleted chains
  --live DURATION     chains still being written (newest checkpoint younger than this, e.g. 2m) may lack
                      their final checkpoint; choose it above the checkpoint interval`;

/** The trust settings of one command run. */
export interface Trust {
  publicKeys?: string[];
  witness?: RecordSource;
  liveMillis?: number;
}

/** Reads `--public-key` (or `$TOOLTRAIL_PUBLIC_KEY_FILE`), `--witness` and `--live`. */
export function trustFrom(values: { 'public-key'?: string[]; witness?: string[]; live?: string }): Trust {
  const fromEnv = (process.env.TOOLTRAIL_PUBLIC_KEY_FILE ?? '').split(delimiter).filter(Boolean);
  const files = values['public-key'] && values['public-key'].length > 0 ? values['public-key'] : fromEnv;
  const publicKeys = files.map((file) => {
    let text: string;
    try {
      // Like OpenSSH's StrictModes: no link followed, a file nobody else can write.
      text = readKeyFile(file, 'public', 'trusted public key');
    } catch (error) {
      throw new InputError((error as Error).message);
    }
    try {
      loadPublicKey(text);
    } catch {
      throw new InputError(
        `${file} is not an Ed25519 public key: expected SPKI PEM (-----BEGIN PUBLIC KEY-----) or the raw 32 bytes in base64`,
      );
    }
    return text;
  });
  return {
    publicKeys: publicKeys.length > 0 ? publicKeys : undefined,
    witness: values.witness && values.witness.length > 0 ? openSource(values.witness) : undefined,
    liveMillis: values.live === undefined ? undefined : durationFlag('--live', values.live, 0),
  };
}

/** Views that list records (query, timeline): the trust options and `--no-verify`. */
export const VIEW_TRUST_OPTIONS = {
  ...TRUST_OPTIONS,
  'no-verify': { type: 'boolean', default: false },
} as const;

export const VIEW_TRUST_USAGE = `[--no-verify] ${TRUST_USAGE}`;

export const VIEW_TRUST_HELP = `  --no-verify         skip the integrity summary line (every chain of the source is verified otherwise)
${TRUST_HELP}`;
