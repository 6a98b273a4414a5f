/**
 * The text detectors read: NFKC-normalised, format characters (zero-width space, joiners, soft hyphen, bidi
 * controls) and variation selectors removed, `%XX` runs percent-decoded (twice at most, so `%2540` is `@`).
 * `start[i]`/`end[i]` give the original characters that view character `i` came from, so a mask placed on the
 * view covers the original characters, whatever their encoding.
 */
export interface DetectionView {
  text: string;
  start: number[];
  end: number[];
}

const INVISIBLE = /^(?:\p{Cf}|\u034f|\u115f|\u1160|\u3164|\uffa0|[\ufe00-\ufe0f])$/u;
const HEX = /^[0-9A-Fa-f]{2}$/;
const cache = new Map<string, string>();

/** `textFlags` bit: a character outside printable ASCII. */
export const NON_ASCII = 1;
/** `textFlags` bit: a `%`, or a `+` after a `?` (a space in a query string). */
export const PERCENT = 2;

const NON_ASCII_CHAR = /[\u007f-\uffff]/;

/** What a view would change: `NON_ASCII | PERCENT`, 0 for text that is its own view (the common case). */
export function textFlags(text: string): number {
  let flags = NON_ASCII_CHAR.test(text) ? NON_ASCII : 0;
  if (text.includes('%')) flags |= PERCENT;
  else {
    const query = text.indexOf('?');
    if (query >= 0 && text.indexOf('+', query) > 0) flags |= PERCENT;
  }
  return flags;
}

/** NFKC of one code point, '' for an invisible one (cached: texts repeat their characters). */
function normalizeCodePoint(char: string): string {
  let out = cache.get(char);
  if (out === undefined) {
    out = INVISIBLE.test(char) ? '' : char.normalize('NFKC');
    if (cache.size > 4096) cache.clear();
    cache.set(char, out);
  }
  return out;
}

/** Decodes a run of `%XX` escapes; undefined when the bytes are not UTF-8. */
function decodeRun(run: string): string | undefined {
  try {
    let decoded = decodeURIComponent(run);
    if (/%[0-9A-Fa-f]{2}/.test(decoded)) {
      try {
        decoded = decodeURIComponent(decoded);
      } catch {
        // Once decoded is as far as it goes.
      }
    }
    return decoded;
  } catch {
    return undefined;
  }
}

/**
 * Builds the detection view of `text` (see `DetectionView`); `percent: false` leaves `%XX` and `+` as written
 * (keyed pairs are found on that view, so an encoded `&` or `;` inside a value does not end it). With
 * `percent`, a `+` after a `?` (up to the next whitespace or `#`) reads as a space, and text encoded twice
 * (`%2540`) is decoded twice.
 */
export function detectionView(text: string, percent = true): DetectionView {
  const once = buildView(text, percent);
  if (!percent || !/%[0-9A-Fa-f]{2}/.test(once.text)) return once;
  const twice = buildView(once.text, true);
  return {
    text: twice.text,
    start: twice.start.map((at) => once.start[at] as number),
    end: twice.end.map((at) => once.end[at - 1] as number),
  };
}

function buildView(text: string, percent: boolean): DetectionView {
  let out = '';
  const start: number[] = [];
  const end: number[] = [];
  const emit = (piece: string, from: number, to: number) => {
    for (let k = 0; k < piece.length; k++) {
      start.push(from);
      end.push(to);
    }
    out += piece;
  };
  let i = 0;
  let query = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 63) query = true;
    else if (c <= 32 || c === 35) query = false;
    else if (c === 43 && query && percent) {
      emit(' ', i, i + 1);
      i++;
      continue;
    }
    if (c === 37 && percent && HEX.test(text.slice(i + 1, i + 3))) {
      let j = i;
      while (text.charCodeAt(j) === 37 && HEX.test(text.slice(j + 1, j + 3))) j += 3;
      const decoded = decodeRun(text.slice(i, j));
      if (decoded === undefined) emit(text.slice(i, j), i, j);
      else {
        let piece = '';
        for (const char of decoded) piece += char.charCodeAt(0) < 127 ? char : normalizeCodePoint(char);
        emit(piece, i, j);
      }
      i = j;
      continue;
    }
    if (c < 127) {
      start.push(i);
      end.push(i + 1);
      out += text[i];
      i++;
      continue;
    }
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    emit(normalizeCodePoint(text.slice(i, i + width)), i, i + width);
    i += width;
  }
  return { text: out, start, end };
}
