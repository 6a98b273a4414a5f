import { cutText } from '../redaction/cut-text.js';
import type { Redactor } from '../redaction/redactor.js';
import { cleanAttribution } from './clean-attribution.js';

/** `{type, message}` of a thrown value, message redacted. Never throws. */
export function describeError(error: unknown, redactor: Redactor): { type: string; message: string } {
  try {
    if (error instanceof Error) {
      return {
        // The name is the thrower's text too (a custom error class may put a value in it).
        type: redactor.redactKey(cleanAttribution(error.name) ?? 'Error'),
        message: cutText(redactor.redactText(String(error.message)), 1024),
      };
    }
    const text = typeof error === 'string' ? error : JSON.stringify(redactor.redactValue(error));
    return {
      type: typeof error === 'string' ? 'string' : typeof error,
      message: cutText(redactor.redactText(text ?? ''), 1024),
    };
  } catch {
    return { type: 'unknown', message: '[unserializable]' };
  }
}
