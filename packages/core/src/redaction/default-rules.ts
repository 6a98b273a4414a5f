import type { KeyRule } from '../types.js';

/**
 * Field names redacted by default, whatever their value. A rule matches a normalised field name that equals
 * it or ends with it, so `token` also covers `sessionToken` and `x-auth-token`.
 *
 * Secrets are masked; personal data is pseudonymised (keyed HMAC) when a pseudonym key is configured so the
 * same patient links across records, and masked otherwise.
 */
export const DEFAULT_KEY_RULES: readonly KeyRule[] = [
  ...secret('password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'accesskey', 'privatekey'),
  ...secret('authorization', 'cookie', 'setcookie', 'credential', 'credentials', 'sessionid', 'cvv', 'cvc'),
  ...personal('ssn', ['ssn', 'socialsecuritynumber', 'taxid']),
  ...personal('card', ['creditcard', 'cardnumber', 'pan']),
  ...personal('name', [
    'patientname',
    'fullname',
    'firstname',
    'lastname',
    'surname',
    'givenname',
    'maidenname',
  ]),
  ...personal('date_of_birth', ['dateofbirth', 'dob', 'birthdate', 'birthday']),
  ...personal('address', ['address', 'streetaddress', 'street', 'postcode', 'zipcode']),
  ...personal('phone', ['phone', 'phonenumber', 'mobile', 'telephone', 'fax']),
  ...personal('email', ['email', 'emailaddress']),
  ...personal('iban', ['iban', 'accountnumber', 'bankaccount']),
  ...personal('id_document', ['passport', 'passportnumber', 'driverslicense', 'licensenumber']),
];

function secret(...keys: string[]): KeyRule[] {
  return keys.map((key) => ({ key, kind: key, action: 'mask' as const }));
}

function personal(kind: string, keys: string[]): KeyRule[] {
  return keys.map((key) => ({ key, kind, action: 'pseudonymize' as const }));
}
