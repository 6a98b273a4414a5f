import type { DetectorKind } from '../types.js';
import { type DetectionView, detectionView, NON_ASCII, PERCENT, textFlags } from './detection-view.js';
import { type Detector, detectWith } from './detectors.js';
import { findKeyedValues, type RuleLookup } from './structured-text.js';

/** Masks and pseudonyms already in the text: kept as they are, so redacting twice changes nothing. */
const PROTECTED = /\[REDACTED:[A-Za-z0-9_.-]+\]|hmac:[A-Za-z0-9_.-]+:[0-9a-f]{64}/g;

interface Replacement<Rule> {
  /** Original offsets. */
  start: number;
  end: number;
  what: DetectorKind | Rule;
  value: string;
}

const toOriginal = (view: DetectionView | undefined, start: number, end: number) =>
  view ? { start: view.start[start] as number, end: view.end[end - 1] as number } : { start, end };

/** A keyed value as a pseudonym sees it: percent- and plus-decoded. */
function decodeValue(value: string): string {
  let out = value.includes('+') && !value.includes(' ') ? value.replace(/\+/g, ' ') : value;
  if (out.includes('%')) {
    try {
      out = decodeURIComponent(out);
    } catch {
      // Not percent-encoding after all.
    }
  }
  return out;
}

/**
 * Redacts free text. Keyed pairs (`findKeyedValues`) are read on the normalised text with `%XX` as written, so
 * an encoded `&` stays inside its value; the value detectors read the normalised, percent-decoded text. Each
 * finding replaces the original characters it came from; a detection overlapping a keyed value is dropped.
 * `replace` turns a detector kind or a rule and the decoded value into the replacement.
 */
export function redactFreeText<Rule extends object>(
  text: string,
  detectors: readonly Detector[],
  lookup: RuleLookup<Rule>,
  replace: (what: DetectorKind | Rule, value: string) => string,
): string {
  const flags = textFlags(text);
  const keyView = flags & NON_ASCII ? detectionView(text, false) : undefined;
  const valueView = flags & PERCENT ? detectionView(text, true) : keyView;
  const spans: Replacement<Rule>[] = [];
  const keyed = keyView ? keyView.text : text;
  if (keyed.includes('=') || keyed.includes(':')) {
    for (const pair of findKeyedValues(keyed, lookup)) {
      const { start, end } = toOriginal(keyView, pair.start, pair.end);
      spans.push({ start, end, what: pair.rule, value: decodeValue(pair.value) });
    }
  }
  const seen = valueView ? valueView.text : text;
  let claimed: Array<{ start: number; end: number }> | undefined;
  if (seen.includes('[REDACTED:') || seen.includes('hmac:')) {
    claimed = [];
    PROTECTED.lastIndex = 0;
    for (let match = PROTECTED.exec(seen); match !== null; match = PROTECTED.exec(seen)) {
      claimed.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  const keyedCount = spans.length;
  for (const item of detectWith(seen, detectors, undefined, claimed)) {
    const { start, end } = toOriginal(valueView, item.start, item.end);
    let overlaps = false;
    for (let i = 0; i < keyedCount && !overlaps; i++) {
      const other = spans[i] as Replacement<Rule>;
      overlaps = start < other.end && other.start < end;
    }
    if (!overlaps) spans.push({ start, end, what: item.kind, value: seen.slice(item.start, item.end) });
  }
  if (spans.length === 0) return text;
  if (spans.length > 1) spans.sort((a, b) => a.start - b.start);
  let out = '';
  let position = 0;
  for (const span of spans) {
    // Two findings can come from one original run (one `%XX` sequence): the first one covers it.
    if (span.end <= position) continue;
    out += text.slice(position, Math.max(position, span.start));
    out += replace(span.what, span.value);
    position = span.end;
  }
  return out + text.slice(position);
}
