import { parseArgs } from 'node:util';
import type { PseudonymKey } from '@tooltrail/core';
import {
  Pseudonymizer,
  parsePseudonymKey,
  pseudonymizeSubject,
  readKeyFile,
  resolvePseudonymKey,
} from '@tooltrail/core/internal';
import { InputError, UsageError } from '../usage-error.js';

/** The kinds the redactor pseudonymises (docs/redaction.md); digit kinds ignore spaces, dashes and case. */
export const PSEUDONYM_KINDS = [
  'name',
  'ssn',
  'card',
  'phone',
  'email',
  'iban',
  'date_of_birth',
  'address',
  'id_document',
  'subject',
] as const;

/** The flags `tooltrail pseudonym` accepts (its usage line names each one). */
export const PSEUDONYM_OPTIONS = {
  kind: { type: 'string', default: 'name' },
  'key-file': { type: 'string' },
} as const;

export const PSEUDONYM_USAGE = `usage: tooltrail pseudonym <value> [--kind KIND] [--key-file FILE]

The keyed pseudonym (hmac:<key-id>:<hex>) of a value: search the trail for it without the trail holding it.
  --kind KIND       how the value is normalised: ${PSEUDONYM_KINDS.join(', ')} (default name)
                    ssn, card, phone and iban ignore spaces, dashes and case; the others fold case and spaces.
                    subject: a record subject (patient:MRN-1 → patient:hmac:…), as written when
                    subjects are pseudonymised (subjectPseudonyms, or a subject from a redacted value)
  --key-file FILE   the pseudonym key (<key-id>:<base64 secret>); default $TOOLTRAIL_PSEUDONYM_KEY,
                    then $TOOLTRAIL_PSEUDONYM_KEY_FILE
Exit status: 0 printed, 2 usage error or no key.`;

/** `tooltrail pseudonym`: returns the exit code. */
export async function pseudonymCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: PSEUDONYM_OPTIONS,
  });
  if (positionals.length !== 1)
    throw new UsageError('exactly one value is required (quote it if it has spaces)');
  const kind = values.kind as string;
  if (!(PSEUDONYM_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown --kind ${JSON.stringify(kind)}: use one of ${PSEUDONYM_KINDS.join(', ')}`);
  }
  let key: PseudonymKey | undefined;
  try {
    if (values['key-file']) {
      let text: string;
      try {
        text = readKeyFile(values['key-file'], 'private', 'key file');
      } catch (error) {
        throw new InputError((error as Error).message.replace(/^tooltrail: /, ''));
      }
      key = parsePseudonymKey(text.trim(), values['key-file']);
    } else {
      key = resolvePseudonymKey(undefined);
    }
    if (!key) {
      throw new InputError(
        'no pseudonym key: pass --key-file FILE or set TOOLTRAIL_PSEUDONYM_KEY / TOOLTRAIL_PSEUDONYM_KEY_FILE ' +
          '(the same key the audited service uses)',
      );
    }
    const pseudonymizer = new Pseudonymizer(key);
    const value = positionals[0] as string;
    const printed =
      kind === 'subject'
        ? pseudonymizeSubject(pseudonymizer, value)
        : pseudonymizer.pseudonymize(value, kind);
    process.stdout.write(`${printed}\n`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError((error as Error).message.replace(/^tooltrail: /, ''));
  }
  return 0;
}
