import type { DetectorKind } from '../types.js';

/** One sensitive value found in free text. */
export interface DetectedValue {
  kind: DetectorKind;
  start: number;
  end: number;
}

interface Detector {
  kind: DetectorKind;
  /** Cheap test that must pass before the pattern runs (keeps long strings linear). */
  gate: (text: string) => boolean;
  pattern: RegExp;
  valid?: (match: string) => boolean;
}

const hasDigit = (text: string) => /\d/.test(text);

/** Value detectors, in priority order: the first detector to claim a span of text wins. */
export const DETECTORS: readonly Detector[] = [
  {
    kind: 'private_key',
    gate: (text) => text.includes('-----BEGIN'),
    // A key cut short by truncation is still a key: match to the end of the text when END is missing.
    pattern: /-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  },
  {
    kind: 'jwt',
    gate: (text) => text.includes('eyJ'),
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  },
  {
    kind: 'bearer',
    gate: (text) => /bearer|basic/i.test(text),
    pattern: /\b(?:[Bb]earer|BEARER|[Bb]asic|BASIC)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  },
  {
    kind: 'cloud_key',
    gate: (text) => /AKIA|ASIA|AIza|sk-|gh[pousr]_|xox[abpr]-|glpat-/.test(text),
    pattern:
      /\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abpr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,})/g,
  },
  {
    kind: 'email',
    gate: (text) => text.includes('@'),
    pattern: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g,
  },
  {
    kind: 'iban',
    gate: hasDigit,
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g,
    valid: isValidIban,
  },
  {
    kind: 'card',
    gate: hasDigit,
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    valid: isLuhnValid,
  },
  {
    kind: 'ssn',
    gate: hasDigit,
    // Any ddd-dd-dddd is treated as an SSN: test data and unissued numbers are still worth hiding.
    pattern: /\b\d{3}-\d{2}-\d{4}\b/g,
  },
  {
    kind: 'phone',
    gate: hasDigit,
    // North American numbers with separators, or any number in international form (+, 8 to 15 digits).
    pattern:
      /(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b|\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){1,6}/g,
    valid: isPlausiblePhone,
  },
];

/** Finds every sensitive value in `text`, without overlaps, sorted by position. */
export function detectValues(text: string, enabled: ReadonlySet<DetectorKind>): DetectedValue[] {
  let found: DetectedValue[] | undefined;
  for (const detector of DETECTORS) {
    if (!enabled.has(detector.kind) || !detector.gate(text)) continue;
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
