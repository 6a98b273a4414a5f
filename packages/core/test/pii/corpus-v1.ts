/**
 * PII corpus, version 1: canaries (values that must never leave the process in clear) in many forms, positions
 * and encodings. A plain data module: `CANARIES` for inputs, `leaks(text)` to find any canary still readable in
 * an output (trail bytes, OTLP bytes, span attributes). Change the data only in a new version (`corpus-v2.ts`)
 * so that results stay comparable.
 */
import { CASE_FORMS, KEYED_FORMS, SEPARATOR_FORMS, VALUE_FORMS } from './forms.js';
import { leaksOf } from './leaks.js';

export const CORPUS_VERSION = 1;

export interface Canary {
  /** Unique, stable: `<base>/<form>`. */
  id: string;
  /** What the value is (`email`, `card`, `password`, ...). */
  kind: string;
  form: string;
  /** Free text (string) or a structured value (object) to redact. */
  input: string | Record<string, unknown>;
  /** Substrings that must not be readable in any output. */
  needles: readonly string[];
}

interface Base {
  name: string;
  kind: string;
  value: string;
  needles: string[];
}

/** Values a detector finds without a key. */
const DETECTED: readonly Base[] = [
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
const KEYED: readonly { kind: string; keys: string[]; value: string; needles: string[] }[] = [
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

/** SSNs that are only an SSN because "ssn" or "social security" is written near them. */
const SSN_CONTEXTS: Readonly<Record<string, (v: string) => string>> = {
  afterWord: (v) => `SSN ${v}`,
  afterWords: (v) => `social security number ${v} on file`,
  errorMessage: (v) => `Error: invalid SSN ${v} for patient P-1`,
  sqlLiteral: (v) => `SELECT * FROM patients WHERE ssn='${v}'`,
  keyValue: (v) => `ssn=${v}`,
  before: (v) => `${v} is the SSN`,
  hash: (v) => `SS# ${v}`,
};

/** `Authorization` in any case, with any scheme, in any position. */
const AUTHORIZATION: Readonly<Record<string, (c: string) => string>> = {
  mixedCaseBearer: (c) => `authorization: BeArEr ${c}`,
  token: (c) => `Authorization: Token ${c}`,
  basic: (c) => `Authorization: Basic ${c}`,
  digest: (c) => `AUTHORIZATION: Digest username="u", response="${c}"`,
  proxy: (c) => `Proxy-Authorization: Negotiate ${c}`,
  midLine: (c) => `sent Authorization: ApiKey ${c} upstream`,
  equals: (c) => `Authorization=Token ${c}`,
  json: (c) => `{"Authorization":"Token ${c}"}`,
  curl: (c) => `curl -H "authorization: bearer ${c}" https://x.example`,
  headerObject: (c) => `headers: { authorization: "Token ${c}" }`,
};

function build(): Canary[] {
  const out: Canary[] = [];
  for (const base of DETECTED) {
    for (const [form, write] of Object.entries(VALUE_FORMS)) {
      out.push({
        id: `${base.name}/${form}`,
        kind: base.kind,
        form,
        input: write(base.value),
        needles: base.needles,
      });
    }
    if (base.kind === 'email' || base.kind === 'iban') {
      for (const [form, write] of Object.entries(CASE_FORMS)) {
        out.push({
          id: `${base.name}/${form}`,
          kind: base.kind,
          form,
          input: write(base.value),
          needles: base.needles,
        });
      }
    }
    if (base.kind === 'card') {
      for (const [form, write] of Object.entries(SEPARATOR_FORMS)) {
        out.push({
          id: `${base.name}/sep-${form}`,
          kind: 'card',
          form: `sep-${form}`,
          input: `card ${write(base.value)} ok`,
          needles: base.needles,
        });
      }
    }
  }
  for (const value of ['909 09 0909', '666 77 8888', '555 66 7777']) {
    const needles = [value.replace(/ /g, '')];
    for (const [form, write] of Object.entries(SEPARATOR_FORMS)) {
      out.push({
        id: `ssn-${needles[0]}/sep-${form}`,
        kind: 'ssn',
        form: `ssn-sep-${form}`,
        input: `SSN ${write(value)}`,
        needles,
      });
    }
    for (const [form, write] of Object.entries(SSN_CONTEXTS)) {
      out.push({
        id: `ssn-${needles[0]}/${form}`,
        kind: 'ssn',
        form: `ssn-${form}`,
        input: write(value.replace(/ /g, '')),
        needles,
      });
    }
  }
  for (const credential of ['Zm9vOmNhbmFyeS1iYXNpYw==', 'c4n4ry-0paque-cred-991']) {
    for (const [form, write] of Object.entries(AUTHORIZATION)) {
      out.push({
        id: `authorization-${credential.slice(0, 6)}/${form}`,
        kind: 'authorization',
        form: `authorization-${form}`,
        input: write(credential),
        needles: [credential.replace(/=+$/, '')],
      });
    }
  }
  for (const group of KEYED) {
    for (const key of group.keys) {
      for (const [form, write] of Object.entries(KEYED_FORMS)) {
        const input = write(key, group.value) as Canary['input'];
        out.push({
          id: `${group.kind}:${key}/${form}`,
          kind: group.kind,
          form: `keyed-${form}`,
          input,
          needles: group.needles,
        });
      }
    }
  }
  return out;
}

/** Every canary of version 1. */
export const CANARIES: readonly Canary[] = build();

/** The canaries still readable in `text` (in any decoded form, see `leaks.ts`); empty when nothing leaked. */
export function leaks(text: string | Uint8Array, among: readonly Canary[] = CANARIES): Canary[] {
  return leaksOf(among, text);
}
