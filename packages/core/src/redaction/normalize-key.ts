/**
 * Normalises a field name so that `apiKey`, `API-KEY`, `api_key` and `x.api.key` compare equal:
 * lower case, letters and digits only. A non-ASCII character counts by its NFKC form, so a full-width
 * `ｐａｓｓｗｏｒｄ` is `password` here as it is in text.
 */
export function normalizeKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 65 && code <= 90) out += String.fromCharCode(code + 32);
    else if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) out += key[i];
    else if (code > 127) out += asciiOf(key[i] as string);
  }
  return out;
}

/** The ASCII letters and digits of a character's NFKC form, lower case ('' for most non-ASCII characters). */
function asciiOf(char: string): string {
  const normal = char.normalize('NFKC');
  return normal === char ? '' : normalizeKey(normal.replace(/[^ -~]/g, ''));
}
