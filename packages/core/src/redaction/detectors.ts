import type { DetectorKind } from '../types.js';
import { isLuhnValid, isValidIban } from './checksums.js';
import { countDigits, type Detector } from './detect-with.js';
import { findEmails } from './find-emails.js';
import {
  AWS_SECRET_CONTEXT,
  AWS_SECRET_PATTERN,
  BEARER_PATTERN,
  isAwsSecretShaped,
  isCredentialShaped,
  mayHoldJwt,
  mayHoldSecret,
  SECRET_PATTERN,
} from './secret-patterns.js';

export type { Detector } from './detect-with.js';

const always = () => true;
// `ssn` may end a word (`patientSSN`): no English word does.
const SSN_CONTEXT = /ssns?\b|ssn_|_ssn|social[\s_+.-]*security|\bss#/i;
/**
 * Every word a context gate below looks for (AWS secret keys, `Bearer`/`Basic` credentials, 9-digit SSNs), in one
 * case-insensitive scan: most text holds none of them, and one scan costs less than half of three.
 */
const CONTEXT_WORDS = /aws|secret|bearer|basic|ssn|social|ss#/i;
const BEARER_OR_BASIC = /bearer|basic/i;
/** The words `SSN_CONTEXT` needs, as written in the text (its digits blanked can only add word boundaries). */
const SSN_WORD = /ssn|social|ss#/i;

/** "ssn" or "social security" within 64 characters before the number or 32 after. */
function hasSsnContext(match: string, text: string, index: number): boolean {
  const around = text.slice(Math.max(0, index - 64), Math.min(text.length, index + match.length + 32));
  return SSN_CONTEXT.test(around.replace(/\d/g, ' '));
}

/**
 * Whether `text` holds `dd-dd-d` (the middle of `ddd-dd-dddd`): found from each `-` with `indexOf`, a native
 * scan, where the SSN pattern would try every digit. A gate only: the pattern decides.
 */
export function mayHoldDashedSsn(text: string): boolean {
  for (let i = text.indexOf('-', 2); i >= 0; i = text.indexOf('-', i + 1)) {
    if (
      text.charCodeAt(i + 3) === 45 &&
      isDigit(text.charCodeAt(i - 1)) &&
      isDigit(text.charCodeAt(i + 1)) &&
      isDigit(text.charCodeAt(i - 2)) &&
      isDigit(text.charCodeAt(i + 2)) &&
      isDigit(text.charCodeAt(i + 4))
    )
      return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Value detectors, in priority order: the first detector to claim a span of text wins. */
export const DETECTORS: readonly Detector[] = [
  {
    kind: 'private_key',
    minLength: 26,
    gate: (text) => text.includes('-----BEGIN'),
    // A key cut short by truncation is still a key: match to the end of the text when END is missing.
    // PEM (`RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, ...) and OpenPGP armour (`PGP PRIVATE KEY BLOCK`).
    pattern:
      /-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    kind: 'jwt',
    minLength: 16,
    gate: mayHoldJwt,
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  },
  {
    kind: 'cloud_key',
    minLength: 13,
    gate: mayHoldSecret,
    pattern: SECRET_PATTERN,
  },
  {
    kind: 'cloud_key',
    minLength: 40,
    prefilter: CONTEXT_WORDS,
    gate: (text) => AWS_SECRET_CONTEXT.test(text),
    pattern: AWS_SECRET_PATTERN,
    valid: (match, text, index) =>
      isAwsSecretShaped(match) && AWS_SECRET_CONTEXT.test(text.slice(Math.max(0, index - 64), index)),
  },
  {
    kind: 'bearer',
    minLength: 14,
    prefilter: CONTEXT_WORDS,
    gate: (text) => BEARER_OR_BASIC.test(text),
    pattern: BEARER_PATTERN,
    valid: isCredentialShaped,
  },
  { kind: 'email', minLength: 6, gate: (text) => text.includes('@'), find: findEmails },
  {
    kind: 'iban',
    minDigits: 2,
    minLength: 15,
    gate: always,
    pattern: /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/g,
    valid: isValidIban,
    prefixes: true,
  },
  {
    kind: 'card',
    minDigits: 13,
    minLength: 13,
    gate: always,
    // 13–19 digits, plain or in groups of 4 (4-6-5 too) with up to three separator characters between groups
    // (space, dash, dot, `+`, `/`: `4539 - 1488`; `%20` is decoded, zero-width characters are gone), not inside
    // a word (a hex hash, an id).
    pattern:
      /\d(?<![A-Za-z0-9]\d)(?:\d{12,18}|\d{3}(?:[ .+/-]{0,3}\d{4}){2}[ .+/-]{0,3}\d{1,4}(?:[ .+/-]{0,3}\d{1,3})?|\d{3}[ .+/-]{0,3}\d{6}[ .+/-]{0,3}\d{4,5})(?![A-Za-z0-9])/g,
    valid: (match) => isLuhnValid(match) && !isEpochTimestamp(match),
    prefixes: true,
  },
  {
    kind: 'ssn',
    minDigits: 9,
    minLength: 11,
    gate: mayHoldDashedSsn,
    // ddd-dd-dddd anywhere: test data and unissued numbers are still worth hiding.
    pattern: /\d(?<![A-Za-z0-9]\d)\d{2}-\d{2}-\d{4}(?![A-Za-z0-9])/g,
  },
  {
    kind: 'ssn',
    minDigits: 9,
    minLength: 9,
    prefilter: CONTEXT_WORDS,
    gate: (text) => SSN_WORD.test(text),
    // ddddddddd and ddd dd dddd (or `.`/`+`/`-`/`/`, up to three of them) only near "ssn" or "social security".
    pattern: /\d(?<![A-Za-z0-9]\d)\d{2}([ .+/-]{0,3})\d{2}\1\d{4}(?![A-Za-z0-9])/g,
    valid: hasSsnContext,
  },
  {
    kind: 'phone',
    minDigits: 8,
    minLength: 8,
    gate: always,
    // North American numbers with separators, or any number in international form (+, 8 to 15 digits, groups
    // apart by up to three of space, dot, dash, `/`).
    pattern:
      /(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b|\+\d{1,3}(?:[ ./-]{0,3}\(?\d{1,5}\)?){1,6}/g,
    valid: isPlausiblePhone,
  },
];

/** The detectors of `DETECTORS` that `enabled` names, in priority order (for `detectWith`). */
export function enabledDetectors(enabled: ReadonlySet<DetectorKind>): readonly Detector[] {
  return DETECTORS.filter((detector) => enabled.has(detector.kind));
}

/**
 * 13, 16 or 19 plain digits reading as a Unix time between 2015 and 2035 in milliseconds, microseconds or
 * nanoseconds (OpenTelemetry's own timestamps): not a card. No card brand issues numbers in that range.
 */
function isEpochTimestamp(match: string): boolean {
  const length = match.length;
  if ((length !== 13 && length !== 16 && length !== 19) || !/^\d+$/.test(match)) return false;
  const millis = Number(match.slice(0, 13));
  return millis >= 1_420_000_000_000 && millis <= 2_050_000_000_000;
}

/** 8 to 15 digits (E.164 allows 15). */
function isPlausiblePhone(candidate: string): boolean {
  const digits = countDigits(candidate, 16);
  return digits >= 8 && digits <= 15;
}
