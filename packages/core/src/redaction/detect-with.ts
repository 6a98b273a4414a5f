import type { DetectorKind } from '../types.js';

/** One sensitive value found in free text. */
export interface DetectedValue {
  kind: DetectorKind;
  start: number;
  end: number;
}

/** One value detector: a gate, then a pattern (or a finder) and an optional check of each match. */
export interface Detector {
  kind: DetectorKind;
  /** Cheap test that must pass before the pattern runs (keeps long strings linear). */
  gate: (text: string) => boolean;
  /**
   * A test `gate` can only pass after, shared by several detectors (one case-insensitive scan for all their
   * context words instead of one each): asked once per text, before the gate.
   */
  prefilter?: RegExp;
  pattern?: RegExp;
  /** A finder used instead of a pattern. */
  find?: (text: string) => Array<{ start: number; end: number }>;
  /** Checks a match; `index` is its position in `text` (for context around it). */
  valid?: (match: string, text: string, index: number) => boolean;
  /** When set, a failed `valid` retries shorter prefixes ending before a separator (cards, IBANs). */
  prefixes?: boolean;
  /** Every match has at least this many digits: skipped for text with fewer (counted once per text). */
  minDigits?: number;
  /** Every match is at least this long: skipped for shorter text. */
  minLength: number;
}

/** Digits in `text`, counting stops at `enough`. */
export function countDigits(text: string, enough: number): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++count >= enough) break;
  }
  return count;
}

/** Digit detectors need at most this many digits: counting stops there. */
const MAX_MIN_DIGITS = 13;

/**
 * Every sensitive value in `text` the `detectors` find (the enabled ones, listed once: `enabledDetectors`),
 * without overlaps, sorted by position. Spans in `claimed` (sorted or not) are already taken: a detection
 * overlapping one is dropped.
 */
export function detectWith(
  text: string,
  detectors: readonly Detector[],
  enabled?: ReadonlySet<DetectorKind>,
  claimed?: ReadonlyArray<{ start: number; end: number }>,
): DetectedValue[] {
  let found: DetectedValue[] = [];
  // One detector's findings, in order and apart (a pattern or a finder moves forward), merged after it ran.
  let batch: DetectedValue[] | undefined;
  // Four detectors need digits: they are counted once per text.
  let digits = -1;
  const textLength = text.length;
  const add = (kind: DetectorKind, start: number, end: number) => {
    if (claimed !== undefined && overlapsAny(claimed, start, end)) return;
    if (batch === undefined) batch = [{ kind, start, end }];
    else batch.push({ kind, start, end });
  };
  let prefilter: RegExp | undefined;
  let prefiltered = false;
  for (let d = 0; d < detectors.length; d++) {
    const detector = detectors[d] as Detector;
    if (textLength < detector.minLength || (enabled && !enabled.has(detector.kind))) continue;
    if (detector.minDigits !== undefined) {
      if (digits < 0) digits = countDigits(text, MAX_MIN_DIGITS);
      if (digits < detector.minDigits) continue;
    }
    if (detector.prefilter !== undefined) {
      if (detector.prefilter !== prefilter) {
        prefilter = detector.prefilter;
        prefiltered = prefilter.test(text);
      }
      if (!prefiltered) continue;
    }
    if (!detector.gate(text)) continue;
    if (detector.find) {
      for (const item of detector.find(text)) add(detector.kind, item.start, item.end);
    } else {
      scan(detector, text, add);
    }
    if (batch !== undefined) {
      found = found.length === 0 ? batch : mergeApart(found, batch);
      batch = undefined;
    }
  }
  return found;
}

/** Runs `detector.pattern` over `text` and adds each match that passes `valid`. */
function scan(
  detector: Detector,
  text: string,
  add: (kind: DetectorKind, start: number, end: number) => void,
): void {
  const pattern = detector.pattern as RegExp;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    let length = match[0].length;
    if (detector.valid) {
      length = detector.prefixes
        ? longestValidPrefix(match[0], detector.valid, text, match.index)
        : detector.valid(match[0], text, match.index)
          ? length
          : 0;
      if (length === 0) {
        // The greedy match may have swallowed a neighbour: retry from the next character.
        pattern.lastIndex = match.index + 1;
        continue;
      }
      pattern.lastIndex = match.index + length;
    }
    add(detector.kind, match.index, match.index + length);
  }
}

/**
 * `found` (sorted, apart) with each of `batch` (sorted) that overlaps nothing before it: earlier detectors win.
 * One pass over both, where inserting one by one would shift the array for each.
 */
function mergeApart(found: readonly DetectedValue[], batch: readonly DetectedValue[]): DetectedValue[] {
  const out: DetectedValue[] = [];
  let i = 0;
  let end = 0;
  for (let b = 0; b < batch.length; b++) {
    const item = batch[b] as DetectedValue;
    for (let next = found[i]; next !== undefined && next.end <= item.start; next = found[++i]) {
      out.push(next);
      end = next.end;
    }
    const next = found[i];
    if (item.start < end || (next !== undefined && next.start < item.end)) continue;
    out.push(item);
    end = item.end;
  }
  for (; i < found.length; i++) out.push(found[i] as DetectedValue);
  return out;
}

function overlapsAny(
  spans: ReadonlyArray<{ start: number; end: number }>,
  start: number,
  end: number,
): boolean {
  for (let i = 0; i < spans.length; i++) {
    const other = spans[i] as { start: number; end: number };
    if (start < other.end && other.start < end) return true;
  }
  return false;
}

/** Length of the longest prefix of `candidate`, ending on a letter or digit before a separator, that passes `valid`. */
function longestValidPrefix(
  candidate: string,
  valid: (value: string, text: string, index: number) => boolean,
  text: string,
  index: number,
): number {
  for (let end = candidate.length; end > 0; end--) {
    const last = candidate.charCodeAt(end - 1) | 32;
    const next = candidate.charCodeAt(end);
    const endsOnAlphanumeric = (last >= 48 && last <= 57) || (last >= 97 && last <= 122);
    const boundary =
      end === candidate.length || next === 32 || next === 45 || next === 46 || next === 43 || next === 47;
    if (endsOnAlphanumeric && boundary && valid(candidate.slice(0, end), text, index)) return end;
  }
  return 0;
}
