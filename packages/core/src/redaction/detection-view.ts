import { Buffer } from 'node:buffer';

/**
 * The text detectors read: NFKC-normalised, format characters (zero-width space, joiners, soft hyphen, bidi
 * controls) and variation selectors removed, `%XX` runs percent-decoded (twice at most, so `%2540` is `@`) and a
 * `+` in a query string read as a space. `startOf(i)`/`endOf(i)` give the original characters that view
 * character `i` came from, so a mask placed on the view covers the original characters, whatever their encoding.
 */
export interface DetectionView {
  text: string;
  /** Original offset of the first character view character `i` came from. */
  startOf(i: number): number;
  /** Original offset just past the last character view character `i` came from. */
  endOf(i: number): number;
}

/** `textFlags` bit: a character outside printable ASCII. */
export const NON_ASCII = 1;
/** `textFlags` bit: a `%`, or a `+` after a `?` (a space in a query string). */
export const PERCENT = 2;

const SPECIAL = /[\u007f-\uffff]/g;
const SPECIAL_OR_ENCODED = /[\u007f-\uffff%+]/g;
const INVISIBLE = /^(?:\p{Cf}|\u034f|\u115f|\u1160|\u3164|\uffa0|[\ufe00-\ufe0f])$/u;
const HEX = /^[0-9A-Fa-f]{2}$/;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;
const cache = new Map<string, string>();

/** What a view would change: `NON_ASCII | PERCENT`, 0 for text that is its own view (the common case). */
export function textFlags(text: string): number {
  // `includes` first: it flattens a concatenated string, which `byteLength` would walk character by character.
  let flags = text.includes('%') ? PERCENT : 0;
  // One UTF-8 byte per character means ASCII only (a native scan, many times faster than a regex); DEL too.
  if (Buffer.byteLength(text, 'utf8') !== text.length || text.includes('\u007f')) flags |= NON_ASCII;
  if (flags === 0 || flags === NON_ASCII) {
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
    return decodeURIComponent(run);
  } catch {
    return undefined;
  }
}

/**
 * Whether a `+` is inside a query string: a `?` before it, with no whitespace or `#` between. Asked at increasing
 * positions, it reads each character once, so text full of `+` stays linear.
 */
class QueryTracker {
  private _position = 0;
  private _inQuery = false;

  constructor(private readonly _text: string) {}

  at(index: number): boolean {
    const text = this._text;
    for (; this._position < index; this._position++) {
      const c = text.charCodeAt(this._position);
      if (c === 63) this._inQuery = true;
      else if (c <= 32 || c === 35) this._inQuery = false;
    }
    return this._inQuery;
  }
}

/**
 * A view kept as the pieces that differ from the original (sorted): view `[vStart, vEnd)` came from original
 * `[oStart, oEnd)`; between pieces the view is the original, shifted.
 */
class PiecewiseView implements DetectionView {
  readonly vStart: number[] = [];
  readonly vEnd: number[] = [];
  readonly oStart: number[] = [];
  readonly oEnd: number[] = [];
  text = '';
  /** A decoded run produced a `%`: the text may be encoded twice. */
  decodedPercent = false;

  /** The last piece starting at or before view offset `i`, -1 if none. */
  private _piece(i: number): number {
    let low = 0;
    let high = this.vStart.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.vStart[mid] as number) <= i) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  }

  startOf(i: number): number {
    const p = this._piece(i);
    if (p < 0) return i;
    const vEnd = this.vEnd[p] as number;
    return i < vEnd ? (this.oStart[p] as number) : (this.oEnd[p] as number) + (i - vEnd);
  }

  endOf(i: number): number {
    const p = this._piece(i);
    if (p < 0) return i + 1;
    const vEnd = this.vEnd[p] as number;
    return i < vEnd ? (this.oEnd[p] as number) : (this.oEnd[p] as number) + (i - vEnd) + 1;
  }
}

/**
 * Builds the detection view of `text` (see `DetectionView`); `percent: false` leaves `%XX` and `+` as written
 * (keyed pairs are found on that view, so an encoded `&` or `;` inside a value does not end it). Text between
 * special characters is copied as it is, so a mostly-ASCII text costs little more than one scan.
 */
export function detectionView(text: string, percent = true): DetectionView {
  const once = buildView(text, percent);
  if (!once.decodedPercent || !PERCENT_ESCAPE.test(once.text)) return once;
  const twice = buildView(once.text, true);
  return {
    text: twice.text,
    startOf: (i) => once.startOf(twice.startOf(i)),
    endOf: (i) => once.endOf(twice.endOf(i) - 1),
  };
}

function buildView(text: string, percent: boolean): PiecewiseView {
  const view = new PiecewiseView();
  const special = percent ? SPECIAL_OR_ENCODED : SPECIAL;
  let out = '';
  let copied = 0;
  const piece = (from: number, to: number, replacement: string) => {
    out += text.slice(copied, from);
    view.vStart.push(out.length);
    out += replacement;
    view.vEnd.push(out.length);
    view.oStart.push(from);
    view.oEnd.push(to);
    copied = to;
  };
  const query = percent && text.includes('?') ? new QueryTracker(text) : undefined;
  special.lastIndex = 0;
  for (let match = special.exec(text); match !== null; match = special.exec(text)) {
    const i = match.index;
    if (i < copied) continue;
    const c = text.charCodeAt(i);
    if (c === 37) {
      let j = i;
      while (text.charCodeAt(j) === 37 && HEX.test(text.slice(j + 1, j + 3))) j += 3;
      if (j === i) continue;
      const decoded = decodeRun(text.slice(i, j));
      if (decoded === undefined) continue;
      let normal = '';
      for (const char of decoded) normal += char.charCodeAt(0) < 127 ? char : normalizeCodePoint(char);
      if (normal.includes('%')) view.decodedPercent = true;
      piece(i, j, normal);
      special.lastIndex = j;
    } else if (c === 43) {
      if (query?.at(i)) piece(i, i + 1, ' ');
    } else {
      const width = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
      const char = text.slice(i, i + width);
      const normal = normalizeCodePoint(char);
      if (normal !== char) piece(i, i + width, normal);
      special.lastIndex = i + width;
    }
  }
  view.text = copied === 0 ? text : out + text.slice(copied);
  return view;
}
