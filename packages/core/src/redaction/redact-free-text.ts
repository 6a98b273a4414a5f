import type { DetectorKind } from '../types.js';
import { detectionView, NON_ASCII, PERCENT, textFlags } from './detection-view.js';
import { type Detector, detectWith } from './detectors.js';
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
  const keyed = keyView ? keyView.text : text;
  if (keyed.includes('=') || keyed.includes(':')) {
    for (const pair of findKeyedValues(keyed, lookup)) {
      const value = decodeValue(pair.value);
      const start = keyView ? keyView.startOf(pair.start) : pair.start;
      const end = keyView ? keyView.endOf(pair.end - 1) : pair.end;
      spans.push({ start, end, what: pair.rule, source: value, from: 0, to: value.length });
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
