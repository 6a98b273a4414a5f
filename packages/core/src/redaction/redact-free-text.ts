import type { DetectorKind } from '../types.js';
import { type DetectedValue, type Detector, detectWith } from './detect-with.js';
import { type DetectionView, detectionView, NON_ASCII, PERCENT, textFlags } from './detection-view.js';
import { findKeyedValues, type RuleLookup } from './structured-text.js';

/** Masks and pseudonyms already in the text: kept as they are, so redacting twice changes nothing. */
const PROTECTED = /\[REDACTED:[A-Za-z0-9_.-]+\]|hmac:[A-Za-z0-9_.-]+:[0-9a-f]{64}/g;

/** Builds the replacement for a detector kind or a rule, given the value as `source.slice(from, to)`. */
export type Replace<Rule> = (what: DetectorKind | Rule, source: string, from: number, to: number) => string;

interface Replacement<Rule> {
  /** Original offsets. */
  start: number;
  end: number;
  what: DetectorKind | Rule;
  /** The value as read is `source.slice(from, to)`, sliced only when a pseudonym needs it. */
  source: string;
  from: number;
  to: number;
}

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

/** Adds the keyed values of `view` (the text itself when undefined) that no earlier span overlaps. */
function addKeyedValues<Rule extends object>(
  spans: Replacement<Rule>[],
  text: string,
  view: DetectionView | undefined,
  lookup: RuleLookup<Rule>,
): void {
  const read = view ? view.text : text;
  if (!read.includes('=') && !read.includes(':')) return;
  const earlier = spans.length;
  for (const pair of findKeyedValues(read, lookup)) {
    const start = view ? view.startOf(pair.start) : pair.start;
    const end = view ? view.endOf(pair.end - 1) : pair.end;
    let overlaps = false;
    for (let i = 0; i < earlier && !overlaps; i++) {
      const other = spans[i] as Replacement<Rule>;
      overlaps = start < other.end && other.start < end;
    }
    if (overlaps) continue;
    const value = decodeValue(pair.value);
    spans.push({ start, end, what: pair.rule, source: value, from: 0, to: value.length });
  }
}

/**
 * Redacts free text. Keyed pairs (`findKeyedValues`) are read on the normalised text with `%XX` as written, so
 * an encoded `&` stays inside its value; the value detectors read the normalised, percent-decoded text. Each
 * finding replaces the original characters it came from; a detection overlapping a keyed value is dropped.
 * Pure-ASCII text without `%` (or `+` in a query) is read as it is, with no view built.
 */
export function redactFreeText<Rule extends object>(
  text: string,
  detectors: readonly Detector[],
  lookup: RuleLookup<Rule>,
  replace: Replace<Rule>,
): string {
  const flags = textFlags(text);
  const keyView = flags & NON_ASCII ? detectionView(text, false) : undefined;
  const valueView = flags & PERCENT ? detectionView(text, true) : keyView;
  const spans: Replacement<Rule>[] = [];
  addKeyedValues(spans, text, keyView, lookup);
  // Pairs that only appear once decoded (a URL inside a query value: `redirect=…%3Ftoken%3D…`).
  if (valueView !== keyView) addKeyedValues(spans, text, valueView, lookup);
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
  const found = detectWith(seen, detectors, undefined, claimed);
  // The common case, text read as it is with no keyed value: the findings are sorted, apart, in place.
  if (keyedCount === 0 && valueView === undefined) return replaceFound(text, found, replace);
  for (const item of found) {
    const start = valueView ? valueView.startOf(item.start) : item.start;
    const end = valueView ? valueView.endOf(item.end - 1) : item.end;
    let overlaps = false;
    for (let i = 0; i < keyedCount && !overlaps; i++) {
      const other = spans[i] as Replacement<Rule>;
      overlaps = start < other.end && other.start < end;
    }
    if (!overlaps) spans.push({ start, end, what: item.kind, source: seen, from: item.start, to: item.end });
  }
  if (spans.length === 0) return text;
  if (keyedCount > 0 && spans.length > 1) spans.sort((a, b) => a.start - b.start);
  let out = '';
  let position = 0;
  for (const span of spans) {
    // Two findings can come from one original run (one `%XX` sequence): the first one covers it.
    if (span.end <= position) continue;
    out += text.slice(position, Math.max(position, span.start));
    out += replace(span.what, span.source, span.from, span.to);
    position = span.end;
  }
  return out + text.slice(position);
}

/** `text` with each of `found` (sorted, not overlapping, offsets in `text`) replaced. */
function replaceFound<Rule>(text: string, found: readonly DetectedValue[], replace: Replace<Rule>): string {
  if (found.length === 0) return text;
  let out = '';
  let position = 0;
  for (let i = 0; i < found.length; i++) {
    const item = found[i] as DetectedValue;
    out += text.slice(position, item.start);
    out += replace(item.kind, text, item.start, item.end);
    position = item.end;
  }
  return out + text.slice(position);
}
