import { Pseudonymizer, pseudonymizeSubject, resolvePseudonymKey } from '@tooltrail/core/internal';
import { InputError } from '../usage-error.js';

/**
 * The keyed pseudonym of a subject given in clear (`patient:MRN-1` → `patient:hmac:…`), with the pseudonym key of
 * the environment (`TOOLTRAIL_PSEUDONYM_KEY` or `TOOLTRAIL_PSEUDONYM_KEY_FILE`, as the audited service uses), so a
 * lookup finds the records that hold the subject pseudonymised. Undefined without a key, or when the subject
 * already is a pseudonym.
 */
export function subjectPseudonymFromEnv(subject: string): string | undefined {
  if (/(?:^|:)hmac:/.test(subject)) return undefined;
  try {
    const key = resolvePseudonymKey(undefined);
    return key ? pseudonymizeSubject(new Pseudonymizer(key), subject) : undefined;
  } catch (error) {
    throw new InputError(`pseudonym key: ${(error as Error).message.replace(/^tooltrail: /, '')}`);
  }
}
