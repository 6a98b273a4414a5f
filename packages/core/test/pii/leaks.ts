/**
 * Leak check for the PII corpus: does `text` still hold a canary's needle in any form a reader could decode?
 * The text is compared as written, percent-decoded, NFKC-normalised with format characters removed, with JSON
 * `\uXXXX` escapes resolved, and with the separators between digits removed; case is ignored.
 */
export interface Needled {
  id: string;
  needles: readonly string[];
}

function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Every decoded reading of `text`, lower case. */
export function readings(text: string): string[] {
  const unescaped = text.replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  const decoded = percentDecode(percentDecode(unescaped).replace(/\+/g, ' '));
  const normal = decoded.normalize('NFKC').replace(/\p{Cf}|\u034f/gu, '');
  const squeezed = normal.replace(/(\d)(?:[ .+\-\u00a0/]|%20)+(?=\d)/g, '$1');
  return [text, unescaped, decoded, normal, squeezed].map((reading) => reading.toLowerCase());
}

/** The canaries of `corpus` whose needles appear in `text` (or in `Buffer` bytes read as UTF-8). */
export function leaksOf<C extends Needled>(corpus: readonly C[], text: string | Uint8Array): C[] {
  const haystacks = readings(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  return corpus.filter((canary) =>
    canary.needles.some((needle) => {
      const lower = needle.toLowerCase();
      return haystacks.some((haystack) => haystack.includes(lower));
    }),
  );
}
