import type { DetectorKind } from '../types.js';
import { type DetectionView, detectionView, needsView } from './detection-view.js';
import { type Detector, detectWith } from './detectors.js';
import { findKeyedValues, type RuleLookup } from './structured-text.js';

/** Masks and pseudonyms already in the text: kept as they are, so redacting twice changes nothing. */
const PROTECTED = /\[REDACTED:[A-Za-z0-9_.-]+\]|hmac:[A-Za-z0-9_.-]+:[0-9a-f]{64}/g;

interface Replacement<Rule> {
  start: number;
  end: number;
  what: DetectorKind | Rule;
  value: string;
}

/**
 * Redacts free text: builds the detection view (normalised, percent-decoded; see `detectionView`), takes the
 * values of keyed pairs whose key has a rule (`findKeyedValues`), then the value detectors' findings elsewhere,
 * and replaces each on the original characters it came from. `replace` turns a detector kind or a rule and the
 * (normalised) value into its replacement.
 */
export function redactFreeText<Rule extends object>(
  text: string,
  detectors: readonly Detector[],
  lookup: RuleLookup<Rule>,
  replace: (what: DetectorKind | Rule, value: string) => string,
): string {
  const view: DetectionView | undefined = needsView(text) ? detectionView(text) : undefined;
  const seen = view ? view.text : text;
  const spans: Replacement<Rule>[] = [];
  const claimed: Array<{ start: number; end: number }> = [];
  if (seen.includes('[REDACTED:') || seen.includes('hmac:')) {
    PROTECTED.lastIndex = 0;
    for (let match = PROTECTED.exec(seen); match !== null; match = PROTECTED.exec(seen)) {
      claimed.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  if (seen.includes('=') || seen.includes(':')) {
    for (const pair of findKeyedValues(seen, lookup)) {
      if (claimed.some((other) => pair.start < other.end && other.start < pair.end)) continue;
      const value =
        pair.value.includes('+') && !pair.value.includes(' ') ? pair.value.replace(/\+/g, ' ') : pair.value;
      spans.push({ start: pair.start, end: pair.end, what: pair.rule, value });
      claimed.push(pair);
    }
  }
  for (const item of detectWith(seen, detectors, undefined, claimed)) {
    spans.push({
      start: item.start,
      end: item.end,
      what: item.kind,
      value: seen.slice(item.start, item.end),
    });
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let position = 0;
  for (const span of spans) {
    const start = view ? (view.start[span.start] as number) : span.start;
    const end = view ? (view.end[span.end - 1] as number) : span.end;
    // Two view spans can come from one original run (one `%XX` sequence): the first one covers it.
    if (end <= position) continue;
    out += text.slice(position, Math.max(position, start));
    out += replace(span.what, span.value);
    position = end;
  }
  return out + text.slice(position);
}
