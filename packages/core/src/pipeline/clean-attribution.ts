import { cutText } from '../redaction/cut-text.js';

const MAX_ATTRIBUTION_LENGTH = 256;

/** Attribution strings are identifiers chosen by the integrator: kept as given, but bounded and well-formed. */
export function cleanAttribution(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text = typeof value === 'string' ? value : String(value);
  text = cutText(text, MAX_ATTRIBUTION_LENGTH);
  return text.isWellFormed() ? text : text.toWellFormed();
}
