/** How a canary value is written: positions, encodings and separators (the "forms" of the PII corpus). */
export type TextForm = (value: string) => string;

const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0));
const every = (text: string, step: number, insert: string) =>
  text.replace(new RegExp(`(.{${step}})(?=.)`, 'gu'), `$1${insert}`);
const percentAll = (text: string) =>
  Array.from(Buffer.from(text, 'utf8'))
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');

/** Forms for a value that a detector finds on its own (no key needed). */
export const VALUE_FORMS: Readonly<Record<string, TextForm>> = {
  plain: (v) => `note ${v} end`,
  start: (v) => `${v} is on file`,
  end: (v) => `kept on file ${v}`,
  parentheses: (v) => `(${v})`,
  quoted: (v) => `"${v}"`,
  lines: (v) => `line one\n${v}\nline three`,
  tabs: (v) => `a\t${v}\tb`,
  markdown: (v) => `**${v}**`,
  html: (v) => `<td>${v}</td>`,
  csv: (v) => `x,${v},y`,
  colon: (v) => `ref:${v}`,
  keyValue: (v) => `ref=${v};`,
  trailingDot: (v) => `Sent to ${v}.`,
  urlQuery: (v) => `https://app.example/p?ref=${encodeURIComponent(v)}&page=2`,
  urlPlus: (v) => `https://app.example/s?q=${encodeURIComponent(`see ${v}`).replace(/%20/g, '+')}`,
  urlPath: (v) => `https://app.example/users/${encodeURIComponent(v)}/profile`,
  percentAll: (v) => `/find?q=${percentAll(v)}`,
  doubleEncoded: (v) => `/find?q=${encodeURIComponent(encodeURIComponent(v))}`,
  fullWidth: (v) => `note ${fullWidth(v)} end`,
  zeroWidth: (v) => `note ${every(v, 3, '\u200b')} end`,
  softHyphen: (v) => `note ${every(v, 4, '\u00ad')} end`,
  joiners: (v) => `note \ufeff${every(v, 5, '\u2060')} end`,
  headerLine: (v) => `Accept: */*\nX-Note: ${v}\nHost: a`,
  sqlLiteral: (v) => `SELECT * FROM t WHERE note = '${v}'`,
  jsonFragment: (v) => `payload {"note":"${v}","n":1}`,
  nearCut: (v) => `${'lorem '.repeat(340)}${v} tail`,
  angle: (v) => `Contact <${v}>`,
};

/** Forms that change letter case (values whose detector ignores case: e-mail, IBAN). */
export const CASE_FORMS: Readonly<Record<string, TextForm>> = {
  upper: (v) => `to ${v.toUpperCase()}`,
  lower: (v) => `to ${v.toLowerCase()}`,
};

/** Separators for digit groups (cards, SSNs written near "ssn"), applied to `dddd dddd …`-style values. */
export const SEPARATOR_FORMS: Readonly<Record<string, TextForm>> = {
  space: (v) => v,
  dash: (v) => v.replace(/ /g, '-'),
  dot: (v) => v.replace(/ /g, '.'),
  percent20: (v) => v.replace(/ /g, '%20'),
  plus: (v) => v.replace(/ /g, '+'),
  none: (v) => v.replace(/ /g, ''),
  nbsp: (v) => v.replace(/ /g, '\u00a0'),
  zeroWidthSeparator: (v) => v.replace(/ /g, '\u200b'),
  fullWidthDigits: (v) => fullWidth(v),
};

/** Forms for a value that only its key gives away (a name, a password): `key` and `value` both given. */
export const KEYED_FORMS: Readonly<Record<string, (key: string, value: string) => unknown>> = {
  object: (k, v) => ({ [k]: v }),
  nestedArray: (k, v) => ({ data: [[{ items: [{ [k]: v }] }]] }),
  keyValueText: (k, v) => `audit ${k}=${encodeURIComponent(v).replace(/%20/g, '+')} ok`,
  urlQuery: (k, v) => `https://a.example/cb?x=1&${k}=${encodeURIComponent(v)}&y=2`,
  headerText: (k, v) => `GET / HTTP/1.1\n${k}: ${v}\nAccept: */*`,
  sql: (k, v) => `UPDATE t SET ${k} = '${v.replace(/'/g, "''")}' WHERE id = 1`,
  jsonText: (k, v) => `body ${JSON.stringify({ [k]: v, ok: true })}`,
  quotedPair: (k, v) => `${k}="${v}" level=info`,
};
