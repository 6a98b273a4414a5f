import { Buffer } from 'node:buffer';

/**
 * The text detectors read: NFKC-normalised, decimal digits of any script read as ASCII digits, dashes and the minus
 * sign as `-`, spaces as a space, curly quotes as straight ones, the ideographic full stop as `.`, format characters
 * (zero-width space, joiners, soft hyphen, bidi controls), variation selectors and combining marks on anything but
 * a letter removed, `%XX` runs percent-decoded (twice at most, so `%2540` is `@`), JSON `\uXXXX` escapes decoded
 * and a `+` in a query string read as a space. `startOf(i)`/`endOf(i)` give the original characters that view
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
/** `textFlags` bit: a `%`, a `\u` (a JSON escape), or a `+` after a `?` (a space in a query string). */
export const PERCENT = 2;

const SPECIAL = /[\u007f-\uffff]/g;
const SPECIAL_OR_ENCODED = /[\u007f-\uffff%+\\]/g;
const INVISIBLE = /^(?:\p{Cf}|\u034f|\u115f|\u1160|\u3164|\uffa0|[\ufe00-\ufe0f])$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const DASH = /^(?:\p{Pd}|\u2212)$/u;
const SPACE = /^\p{Zs}$/u;
const MARK = /^\p{M}$/u;
/** What a combining mark may sit on and stay (a letter, another mark, the low half of an astral letter). */
const MARK_BASE = /^[\p{L}\p{M}\udc00-\udfff]$/u;
const HEX = /^[0-9A-Fa-f]{2}$/;
const HEX4 = /^[0-9A-Fa-f]{4}$/;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;
const cache = new Map<string, string>();
/** The combining marks among the code points `cache` holds. */
const marks = new Set<string>();

/** What a view would change: `NON_ASCII | PERCENT`, 0 for text that is its own view (the common case). */
export function textFlags(text: string): number {
  // `includes` first: it flattens a concatenated string, which `byteLength` would walk character by character.
  let flags = text.includes('%') || text.includes('\\u') ? PERCENT : 0;
  // One UTF-8 byte per character means ASCII only (a native scan, many times faster than a regex); DEL too.
  if (Buffer.byteLength(text, 'utf8') !== text.length || text.includes('\u007f')) flags |= NON_ASCII;
  if (flags === 0 || flags === NON_ASCII) {
    const query = text.indexOf('?');
    if (query >= 0 && text.indexOf('+', query) > 0) flags |= PERCENT;
  }
  return flags;
}

/** NFKC of one code point, read as ASCII where a look-alike is meant; '' for an invisible one (cached). */
function normalizeCodePoint(char: string): string {
  let out = cache.get(char);
  if (out === undefined) {
    out = INVISIBLE.test(char) ? '' : asciiLookAlike(char.normalize('NFKC'));
    if (cache.size > 4096) {
      cache.clear();
      marks.clear();
    }
    cache.set(char, out);
    if (out === char && MARK.test(char)) marks.add(char);
  }
  return out;
}

/**
 * A character NFKC leaves that reads as an ASCII one in a number or an address: a decimal digit of another script
 * (`٥١٢` is 512), a dash or the minus sign, a space, a curly quote, the ideographic full stop (a domain's dot).
 */
function asciiLookAlike(char: string): string {
  if (DECIMAL_DIGIT.test(char) && char.length > 0 && char.charCodeAt(0) > 127)
    return String(digitValue(char));
  if (DASH.test(char)) return '-';
  if (SPACE.test(char)) return ' ';
  switch (char) {
    case '\u2018':
    case '\u2019':
    case '\u201a':
    case '\u201b':
      return "'";
    case '\u201c':
    case '\u201d':
    case '\u201e':
    case '\u201f':
      return '"';
    case '\u3002':
      return '.';
  }
  return char;
}

/** The value of a decimal digit: Unicode encodes them in runs of ten from zero, so it is its offset in its run. */
function digitValue(char: string): number {
  let code = char.codePointAt(0) as number;
  let offset = 0;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(code - 1))) {
    code--;
    offset++;
  }
  return offset % 10;
}

/** Decodes a run of `\uXXXX` escapes (a backslash before one is taken as escaping it: JSON inside JSON). */
function jsonEscapeRun(text: string, from: number): { end: number; decoded: string } | undefined {
  let j = from;
  let decoded = '';
  for (;;) {
    let u = j;
    while (text.charCodeAt(u) === 92) u++;
    if (u === j || text.charCodeAt(u) !== 117 || !HEX4.test(text.slice(u + 1, u + 5))) break;
    decoded += String.fromCharCode(Number.parseInt(text.slice(u + 1, u + 5), 16));
    j = u + 5;
  }
  return j === from ? undefined : { end: j, decoded };
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
    } else if (c === 92) {
      const run = jsonEscapeRun(text, i);
      if (run === undefined) continue;
      let normal = '';
      for (const char of run.decoded) normal += char.charCodeAt(0) < 127 ? char : normalizeCodePoint(char);
      if (normal.includes('%')) view.decodedPercent = true;
      piece(i, run.end, normal);
      special.lastIndex = run.end;
    } else if (c === 43) {
      if (query?.at(i)) piece(i, i + 1, ' ');
    } else {
      const width = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
      const char = text.slice(i, i + width);
      let normal = normalizeCodePoint(char);
      // A combining mark on a digit or a separator (`5\u0301`) is noise in a number: only letters keep theirs.
      if (normal === char && marks.has(char)) {
        const before = i > copied ? text[i - 1] : out[out.length - 1];
        if (before === undefined || !MARK_BASE.test(before)) normal = '';
      }
      if (normal !== char) piece(i, i + width, normal);
      special.lastIndex = i + width;
    }
  }
  view.text = copied === 0 ? text : out + text.slice(copied);
  return view;
}
