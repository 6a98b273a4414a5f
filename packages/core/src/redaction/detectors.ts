import type { DetectorKind } from '../types.js';

/** One sensitive value found in free text. */
export interface DetectedValue {
  kind: DetectorKind;
  start: number;
  end: number;
}

export interface Detector {
  kind: DetectorKind;
  /** Cheap test that must pass before the pattern runs (keeps long strings linear). */
  gate: (text: string) => boolean;
  pattern: RegExp;
  valid?: (match: string) => boolean;
  /** Every match has at least this many digits: skipped for text with fewer (counted once per text). */
  minDigits?: number;
  /** Every match is at least this long: skipped for shorter text. */
  minLength: number;
}

/** Digits in `text`, counting stops at `enough`. */
function countDigits(text: string, enough: number): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++count >= enough) break;
  }
  return count;
}

const MAX_MIN_DIGITS = 13;
const digitGate = (minDigits: number) => (text: string) => countDigits(text, minDigits) >= minDigits;

/** Value detectors, in priority order: the first detector to claim a span of text wins. */
export const DETECTORS: readonly Detector[] = [
  {
    kind: 'private_key',
    // "-----BEGIN" + "PRIVATE KEY-----".
    minLength: 26,
    gate: (text) => text.includes('-----BEGIN'),
    // A key cut short by truncation is still a key: match to the end of the text when END is missing.
    pattern: /-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  },
  {
    kind: 'jwt',
    // eyJ + 4 + . + eyJ + 4 + .
    minLength: 16,
    gate: (text) => text.includes('eyJ'),
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  },
  {
    kind: 'bearer',
    // "Basic" + one space + 8.
    minLength: 14,
    gate: (text) => /bearer|basic/i.test(text),
    pattern: /\b(?:[Bb]earer|BEARER|[Bb]asic|BASIC)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  },
  {
    kind: 'cloud_key',
    // The shortest alternative: "xoxb-" + 10.
    minLength: 15,
    gate: (text) => /AKIA|ASIA|AIza|sk-|gh[pousr]_|xox[abpr]-|glpat-/.test(text),
    pattern:
      /\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abpr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,})/g,
  },
  {
    kind: 'email',
    // a@b.cd
    minLength: 6,
    gate: (text) => text.includes('@'),
    pattern: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g,
  },
  {
    kind: 'iban',
    // Two letters, two check digits, 11 more.
    minDigits: 2,
    minLength: 15,
    gate: digitGate(2),
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g,
    valid: isValidIban,
  },
  {
    kind: 'card',
    // 13 to 19 digits.
    minDigits: 13,
    minLength: 13,
    gate: digitGate(13),
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    valid: isLuhnValid,
  },
  {
    kind: 'ssn',
    // ddd-dd-dddd
    minDigits: 9,
    minLength: 11,
    gate: digitGate(9),
    // Any ddd-dd-dddd is treated as an SSN: test data and unissued numbers are still worth hiding.
    pattern: /\b\d{3}-\d{2}-\d{4}\b/g,
  },
  {
    kind: 'phone',
    // isPlausiblePhone wants 8 to 15 digits.
    minDigits: 8,
    minLength: 8,
    gate: digitGate(8),
    // North American numbers with separators, or any number in international form (+, 8 to 15 digits).
    pattern:
      /(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b|\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){1,6}/g,
    valid: isPlausiblePhone,
  },
];

/** Finds every sensitive value in `text`, without overlaps, sorted by position. */
export function detectValues(text: string, enabled: ReadonlySet<DetectorKind>): DetectedValue[] {
  return detectWith(text, DETECTORS, enabled);
}

/** The detectors of `DETECTORS` that `enabled` names, in priority order (for `detectWith`). */
export function enabledDetectors(enabled: ReadonlySet<DetectorKind>): readonly Detector[] {
  return DETECTORS.filter((detector) => enabled.has(detector.kind));
}

/** `detectValues` with the enabled detectors listed once (`enabledDetectors`) rather than looked up per text. */
export function detectWith(
  text: string,
  detectors: readonly Detector[],
  enabled?: ReadonlySet<DetectorKind>,
): DetectedValue[] {
  let found: DetectedValue[] | undefined;
  // Four detectors need digits: they are counted once per text.
  let digits = -1;
  const textLength = text.length;
  for (let d = 0; d < detectors.length; d++) {
    const detector = detectors[d] as Detector;
    if (textLength < detector.minLength || (enabled && !enabled.has(detector.kind))) continue;
    if (detector.minDigits !== undefined) {
      if (digits < 0) digits = countDigits(text, MAX_MIN_DIGITS);
      if (digits < detector.minDigits) continue;
    } else if (!detector.gate(text)) continue;
    detector.pattern.lastIndex = 0;
    for (let match = detector.pattern.exec(text); match !== null; match = detector.pattern.exec(text)) {
      if (match[0].length === 0) {
        detector.pattern.lastIndex++;
        continue;
      }
      let length = match[0].length;
      if (detector.valid) {
        length = longestValidPrefix(match[0], detector.valid);
        if (length === 0) {
          // The greedy match may have swallowed a neighbour: retry from the next character.
          detector.pattern.lastIndex = match.index + 1;
          continue;
        }
        detector.pattern.lastIndex = match.index + length;
      }
      const start = match.index;
      const end = start + length;
      found ??= [];
      if (!found.some((other) => start < other.end && other.start < end)) {
        found.push({ kind: detector.kind, start, end });
      }
    }
  }
  if (!found) return [];
  return found.sort((a, b) => a.start - b.start);
}

/** Luhn checksum, as used by payment card numbers. */
export function isLuhnValid(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616 IBAN check digits (mod 97). */
export function isValidIban(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '');
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** 8 to 15 digits (E.164 allows 15). */
function isPlausiblePhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '').length;
  return digits >= 8 && digits <= 15;
}

/** Length of the longest prefix of `candidate`, ending on an alphanumeric, that passes `valid`; 0 if none. */
function longestValidPrefix(candidate: string, valid: (value: string) => boolean): number {
  for (let end = candidate.length; end > 0; end--) {
    const last = candidate.charCodeAt(end - 1);
    const next = candidate.charCodeAt(end);
    const endsOnAlphanumeric = (last >= 48 && last <= 57) || (last >= 65 && last <= 90);
    const boundary = end === candidate.length || next === 32 || next === 45;
    if (endsOnAlphanumeric && boundary && valid(candidate.slice(0, end))) return end;
  }
  return 0;
}
