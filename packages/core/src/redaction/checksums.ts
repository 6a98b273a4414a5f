/** Luhn checksum, as used by payment card numbers (13 to 19 digits; other characters are ignored). */
export function isLuhnValid(candidate: string): boolean {
  let sum = 0;
  let count = 0;
  for (let i = candidate.length - 1; i >= 0; i--) {
    let digit = candidate.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) continue;
    if (count++ % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return count >= 13 && count <= 19 && sum % 10 === 0;
}

/** Countries that issue IBANs (ISO 13616 registry), so that `ab12…` in ordinary text is not taken for one. */
const IBAN_COUNTRIES = new Set(
  (
    'AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI GL GR GT HN HR HU ' +
    'IE IL IQ IS IT JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL NO OM PK PL PS PT QA RO RS RU SA ' +
    'SC SD SE SI SK SM SO ST SV TL TN TR UA VA VG XK YE'
  ).split(' '),
);

/**
 * ISO 13616 IBAN: a known country, check digits (mod 97), letters in one case (`DE89…` or `de89…`, not the
 * mixed case of a base64 blob). Spaces are ignored.
 */
export function isValidIban(candidate: string): boolean {
  const compact = candidate.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  const hasLower = /[a-z]/.test(compact);
  if (hasLower && /[A-Z]/.test(compact)) return false;
  const iban = hasLower ? compact.toUpperCase() : compact;
  if (!IBAN_COUNTRIES.has(iban.slice(0, 2))) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
