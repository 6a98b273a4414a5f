/** One e-mail address found in text: [start, end). */
export interface Found {
  start: number;
  end: number;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}\p{M}]/u;
/** A domain's last label: letters (Unicode too), or an IDN label in punycode (`xn--p1ai`). */
const TOP_LABEL = /^(?:[\p{L}\p{M}]{2,24}|xn--[a-z0-9-]{2,59})$/iu;

function isLocalChar(code: number, char: string): boolean {
  if (code < 128) {
    return (
      (code >= 97 && code <= 122) ||
      (code >= 65 && code <= 90) ||
      (code >= 48 && code <= 57) ||
      code === 46 || // .
      code === 95 || // _
      code === 45 || // -
      code === 43 || // +
      code === 37 || // %
      code === 39 // '
    );
  }
  return LETTER_OR_DIGIT.test(char);
}

function isDomainChar(code: number, char: string): boolean {
  if (code < 128) {
    return (
      (code >= 97 && code <= 122) ||
      (code >= 65 && code <= 90) ||
      (code >= 48 && code <= 57) ||
      code === 46 ||
      code === 45
    );
  }
  return LETTER_OR_DIGIT.test(char);
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
    while (
      start > floor &&
      at - start < 64 &&
      isLocalChar(text.charCodeAt(start - 1), text[start - 1] as string)
    )
      start--;
    // Surrogate pairs (astral letters) are rare in addresses; they end the local part.
    while (start < at && text.charCodeAt(start) === 46) start++;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && isDomainChar(text.charCodeAt(end), text[end] as string))
      end++;
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    const domain = text.slice(at + 1, end);
    const lastDot = domain.lastIndexOf('.');
    if (start < at && lastDot > 0 && TOP_LABEL.test(domain.slice(lastDot + 1))) {
      found.push({ start, end });
      floor = end;
    }
    at = text.indexOf('@', Math.max(at + 1, floor));
  }
  return found;
}
