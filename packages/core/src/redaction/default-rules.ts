import type { KeyRule } from '../types.js';

/**
 * Field names redacted by default, whatever their value. Names are normalised first (`normalizeKey`: lower
 * case, letters and digits only) and compared by each rule's `match`:
 * - `contains`: secrets whose name may carry anything around them (`password2`, `secretKey`, `x-auth-token`);
 * - `suffix` (the default): the name ends with the rule (`patientName`, `home_address`);
 * - `word`: the rule is one word of the name, split at separators and case changes (`card_pin`, `ssn_number`,
 *   but not `spin` or `shipping`);
 * - `prefix`: the name starts with the rule (`ssnLast4`);
 * - `exact`: the whole name (`name`, `pin`).
 * Secrets are masked; personal data is pseudonymised (keyed HMAC) when a pseudonym key is configured so the
 * same patient links across records, and masked otherwise. Semantic-convention keys (`semconv-allow-list.ts`)
 * are exempt from these defaults; `HEADER_CREDENTIAL` and the query-only rules complete them.
 */
export const DEFAULT_KEY_RULES: readonly KeyRule[] = [
  ...secret(
    'contains',
    'password',
    'passwd',
    'passphrase',
    'secret',
    'token',
    'apikey',
    'accesskey',
    'privatekey',
  ),
  ...secret('contains', 'authorization', 'cookie', 'credential', 'sessionid'),
  ...secret('suffix', 'setcookie', 'cvv', 'cvc', 'pwd', 'pincode', 'pinnumber'),
  ...secret('word', 'pin', 'otp'),
  ...secret('exact', 'pass'),
  ...personal('ssn', 'suffix', ['ssn', 'socialsecuritynumber', 'taxid']),
  ...personal('ssn', 'word', ['ssn']),
  ...personal('ssn', 'prefix', ['ssn']),
  ...personal('ssn', 'contains', ['socialsecurity']),
  ...personal('mrn', 'word', ['mrn']),
  ...personal('mrn', 'contains', ['medicalrecordnumber', 'medicalrecordno', 'medicalrecordid']),
  ...personal('card', 'suffix', ['creditcard', 'cardnumber', 'pan']),
  ...personal('name', 'exact', ['name']),
  ...personal('name', 'suffix', [
    'patientname',
    'fullname',
    'firstname',
    'middlename',
    'lastname',
    'surname',
    'givenname',
    'familyname',
    'maidenname',
    'nickname',
    'displayname',
    'legalname',
    'preferredname',
    'personname',
    'customername',
    'contactname',
    'holdername',
  ]),
  ...personal('date_of_birth', 'suffix', ['dateofbirth', 'dob', 'birthdate', 'birthday']),
  ...personal('address', 'suffix', ['address', 'streetaddress', 'street', 'postcode', 'zipcode']),
  ...personal('phone', 'suffix', ['phone', 'phonenumber', 'mobile', 'telephone', 'fax']),
  ...personal('email', 'suffix', ['email', 'emailaddress']),
  ...personal('iban', 'suffix', ['iban', 'accountnumber', 'bankaccount']),
  ...personal('id_document', 'suffix', ['passport', 'passportnumber', 'driverslicense', 'licensenumber']),
];

/**
 * Header-style names (words joined by `-`) ending in `-auth`, `-token`, `-key`, `-secret` or `-signature`:
 * `X-Custom-Auth`, `X-Session-Key`. Masked as `credential`.
 */
export const HEADER_CREDENTIAL = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*-(?:auth|token|key|secret|signature)$/i;

/** Rules for URL query parameters only (after `?` or `&`): OAuth codes and URL signatures. */
export const QUERY_KEY_RULES: readonly KeyRule[] = [
  ...secret('exact', 'code', 'sig', 'signature', 'key'),
  ...secret('suffix', 'signature'),
];

/** Counting names that contain "token" but hold numbers (`max_tokens`, `input_tokens`), not secrets. */
export const TOKEN_COUNT =
  /(?:max|input|output|total|prompt|completion|cached|reasoning)tokens$|tokens?(?:count|limit|usage)/;

function secret(match: KeyRule['match'], ...keys: string[]): KeyRule[] {
  return keys.map((key) => ({ key, kind: key, action: 'mask' as const, match }));
}

function personal(kind: string, match: KeyRule['match'], keys: string[]): KeyRule[] {
  return keys.map((key) => ({ key, kind, action: 'pseudonymize' as const, match }));
}
