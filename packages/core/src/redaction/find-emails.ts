/** One e-mail address found in text: [start, end). */
export interface Found {
  start: number;
  end: number;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}\p{M}]/u;
/** A domain's last label: letters (Unicode too), or an IDN label in punycode (`xn--p1ai`). */
const TOP_LABEL = /^(?:[\p{L}\p{M}]{2,24}|xn--[a-z0-9-]{2,59})$/iu;

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

/** Local part: letters and digits of any script and `._-+%'`. */
function isLocalChar(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code < 128) {
    return (
      isAsciiAlphanumeric(code) ||
      code === 46 ||
      code === 95 ||
      code === 45 ||
      code === 43 ||
      code === 37 ||
      code === 39
    );
  }
  return LETTER_OR_DIGIT.test(text[at] as string);
}

/** Domain: letters and digits of any script, `.` and `-`. */
function isDomainChar(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code < 128) return isAsciiAlphanumeric(code) || code === 46 || code === 45;
  return LETTER_OR_DIGIT.test(text[at] as string);
}

/** A last label of 2–24 ASCII letters (checked without a regex), else `TOP_LABEL`. */
function isTopLabel(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length >= 2 && length <= 24) {
    let letters = true;
    for (let i = start; i < end && letters; i++) {
      const code = text.charCodeAt(i) | 32;
      letters = code >= 97 && code <= 122;
    }
    if (letters) return true;
  }
  return TOP_LABEL.test(text.slice(start, end));
}

/**
 * E-mail addresses, found from each `@` outwards rather than by a regex that restarts at every letter: a local
 * part of 1–64 letters, digits (any script) and `._-+%'`, a domain of two or more labels whose last one is
 * letters (any script) or punycode. Linear in the text.
 */
export function findEmails(text: string): Found[] {
  const found: Found[] = [];
  let at = text.indexOf('@');
  let floor = 0;
  while (at >= 0) {
    let start = at;
    while (start > floor && at - start < 64 && isLocalChar(text, start - 1)) start--;
    // Surrogate pairs (astral letters) are rare in addresses; they end the local part.
    while (start < at && text.charCodeAt(start) === 46) start++;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && isDomainChar(text, end)) end++;
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    // The last dot of the domain, looked for within the domain only (text full of `@` stays linear).
    let lastDot = end - 1;
    while (lastDot > at + 1 && text.charCodeAt(lastDot) !== 46) lastDot--;
    if (start < at && lastDot > at + 1 && isTopLabel(text, lastDot + 1, end)) {
      found.push({ start, end });
      floor = end;
    }
    at = text.indexOf('@', Math.max(at + 1, floor));
  }
  return found;
}
