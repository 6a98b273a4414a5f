/**
 * PII corpus, version 1: canaries (values that must never leave the process in clear) in many forms, positions
 * and encodings. A plain data module: `CANARIES` for inputs, `leaks(text)` to find any canary still readable in
 * an output (trail bytes, OTLP bytes, span attributes). Change the data only in a new version (`corpus-v2.ts`)
 * so that results stay comparable.
 */
import { DETECTED, KEYED } from './corpus-v1-values.js';
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
