/** The values of PII corpus v1 (see `corpus-v1.ts`): changed only in a new version. */

/** A sensitive value, and the substrings of it that must never be readable in an output. */
export interface Base {
  name: string;
  kind: string;
  value: string;
  needles: string[];
}

/** Values a detector finds without a key. */
export const DETECTED: readonly Base[] = [
  { name: 'email-ascii', kind: 'email', value: 'carol.canary@example.net', needles: ['carol.canary'] },
  { name: 'email-unicode', kind: 'email', value: 'jöhn.kanarie@bücher.example', needles: ['jöhn.kanarie'] },
  { name: 'email-idn', kind: 'email', value: 'ops.canary7@xn--bcher-kva.example', needles: ['ops.canary7'] },
  {
    name: 'email-subdomain',
    kind: 'email',
    value: 'dana_canary@mail.example.co.uk',
    needles: ['dana_canary'],
  },
  { name: 'ssn-dashed', kind: 'ssn', value: '512-44-7788', needles: ['512447788'] },
  { name: 'card-visa', kind: 'card', value: '4539 1488 0343 6467', needles: ['4539148803436467'] },
  { name: 'card-mastercard', kind: 'card', value: '5425 2334 3010 9903', needles: ['5425233430109903'] },
  { name: 'card-amex', kind: 'card', value: '3714 496353 98431', needles: ['371449635398431'] },
  { name: 'iban-de', kind: 'iban', value: 'DE89 3704 0044 0532 0130 00', needles: ['370400440532013000'] },
  { name: 'iban-gb', kind: 'iban', value: 'GB33 BUKB 2020 1555 5555 55', needles: ['20201555555555'] },
  { name: 'phone-intl', kind: 'phone', value: '+44 20 7946 0321', needles: ['442079460321'] },
  {
    name: 'github-classic',
    kind: 'secret',
    value: `ghp_${'Cn4ry'.repeat(7)}Z`,
    needles: ['Cn4ryCn4ryCn4ryCn4ry'],
  },
  {
    name: 'github-fine',
    kind: 'secret',
    value: `github_pat_11AAAAAAA0${'fInEgRaInEd'.repeat(3)}_Xyz`,
    needles: ['fInEgRaInEdfInEgRaInEd'],
  },
  { name: 'github-app', kind: 'secret', value: `ghs_${'AppT0ken'.repeat(5)}`, needles: ['AppT0kenAppT0ken'] },
  { name: 'aws-access-key', kind: 'secret', value: 'AKIAQCANARYKEY7EXAMP', needles: ['QCANARYKEY7EXAMP'] },
  {
    name: 'aws-secret',
    kind: 'secret',
    value: 'aws secret 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',
    needles: ['K7MDENG/bPxRfiCYCANARY'],
  },
  {
    name: 'slack-webhook',
    kind: 'secret',
    value: 'https://hooks.slack.com/services/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56',
    needles: ['CanaryWebhookSecret0123456'],
  },
  {
    name: 'slack-bot',
    kind: 'secret',
    value: 'xoxb-2024000000-1234567890-CanaryBotTokenValue42',
    needles: ['CanaryBotTokenValue42'],
  },
  {
    name: 'stripe-secret',
    kind: 'secret',
    value: 'sk_live_51CanaryStripeSecretKey0099',
    needles: ['CanaryStripeSecretKey0099'],
  },
  {
    name: 'stripe-restricted',
    kind: 'secret',
    value: 'rk_live_51CanaryRestrictedKey0042',
    needles: ['CanaryRestrictedKey0042'],
  },
  {
    name: 'google-api',
    kind: 'secret',
    value: 'AIzaSyCanaryGoogleApiKey0123456789-_abc',
    needles: ['CanaryGoogleApiKey0123456789'],
  },
  {
    name: 'azure-storage',
    kind: 'secret',
    value: 'AccountName=acct;AccountKey=Q2FuYXJ5QXp1cmVLZXk9PQ==;EndpointSuffix=x',
    needles: ['Q2FuYXJ5QXp1cmVLZXk9PQ'],
  },
  {
    name: 'npm',
    kind: 'secret',
    value: `npm_${'NpmCanary12'.repeat(3)}abc`,
    needles: ['NpmCanary12NpmCanary12'],
  },
  {
    name: 'openai',
    kind: 'secret',
    value: 'sk-proj-CanaryOpenAiKey_0123456789abcdef',
    needles: ['CanaryOpenAiKey_0123456789'],
  },
  {
    name: 'anthropic',
    kind: 'secret',
    value: 'sk-ant-api03-CanaryAnthropicKey-0123456789AA',
    needles: ['CanaryAnthropicKey-0123456789'],
  },
  {
    name: 'jwt',
    kind: 'secret',
    value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.Q2FuYXJ5U2lnbmF0dXJl',
    needles: ['eyJzdWIiOiJjYW5hcnkifQ'],
  },
  {
    name: 'bearer',
    kind: 'secret',
    value: 'Bearer 9f8e7d6c5b4aCanary39281706',
    needles: ['9f8e7d6c5b4aCanary39281706'],
  },
];

/** Values only their key gives away, with the keys that must give them away. */
export const KEYED: readonly { kind: string; keys: string[]; value: string; needles: string[] }[] = [
  {
    kind: 'password',
    keys: ['password', 'password2', 'newPassword', 'pwd', 'db_pwd'],
    value: 'Hunter2;canary&pw',
    needles: ['Hunter2', 'canary&pw'],
  },
  {
    kind: 'secret',
    keys: ['secretKey', 'client_secret', 'X-Custom-Auth', 'X-Session-Key'],
    value: 'sEcr3t-CanaryValue',
    needles: ['sEcr3t-CanaryValue'],
  },
  {
    kind: 'token',
    keys: ['access_token', 'refreshToken', 'api_key', 'API-KEY', 'apiKey', 'cookie'],
    value: 'tok.CanaryOpaque.77',
    needles: ['CanaryOpaque'],
  },
  { kind: 'pin', keys: ['pin', 'card_pin'], value: 'pin-7391-canary', needles: ['7391-canary'] },
  {
    kind: 'name',
    keys: ['name', 'first_name', 'middle_name', 'last_name', 'patient_name', 'displayName'],
    value: 'Johanna Q. Testperson',
    needles: ['Johanna', 'Testperson'],
  },
  {
    kind: 'mrn',
    keys: ['mrn', 'medical_record_number'],
    value: 'MRN-CANARY-00918273',
    needles: ['CANARY-00918273'],
  },
  { kind: 'ssn', keys: ['ssn_number', 'patient_ssn'], value: '778-12-canary', needles: ['778-12-canary'] },
];
