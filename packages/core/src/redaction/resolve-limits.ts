import type { RedactionOptions } from '../types.js';
import type { SanitizeLimits } from './sanitize-value.js';

/** The redaction limits with their defaults; a bad value throws at construction with a clear message. */
export function resolveLimits(limits: RedactionOptions['limits'] = {}): SanitizeLimits {
  const pick = (name: keyof SanitizeLimits, fallback: number, min: number): number => {
    const value = limits[name];
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`tooltrail: redaction limit ${name} must be an integer >= ${min}, got ${value}`);
    }
    return value;
  };
  return {
    maxDepth: pick('maxDepth', 32, 1),
    maxStringLength: pick('maxStringLength', 2048, 16),
    maxObjectKeys: pick('maxObjectKeys', 200, 1),
    maxArrayItems: pick('maxArrayItems', 100, 1),
    maxNodes: pick('maxNodes', 5000, 10),
  };
}
