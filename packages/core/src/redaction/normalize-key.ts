/**
 * Normalises a field name so that `apiKey`, `API-KEY`, `api_key` and `x.api.key` compare equal:
 * lower case, letters and digits only.
 */
export function normalizeKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 65 && code <= 90) out += String.fromCharCode(code + 32);
    else if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) out += key[i];
  }
  return out;
}
