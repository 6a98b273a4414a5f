/** A duration for people: whole ms from 100 ms, else up to two decimals; `?ms` when unknown. */
export function formatMillis(value: unknown): string {
  const millis = typeof value === 'number' ? value : Number.NaN;
  if (Number.isNaN(millis)) return '?ms';
  return millis >= 100 ? `${Math.round(millis)}ms` : `${Number(millis.toFixed(2))}ms`;
}

/** Nearest-rank percentile (p in 0..100) of an ascending-sorted array; null when empty. */
export function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** `ts` then chain and seq: "newest last". */
export function byTime(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return (
    String(a.ts).localeCompare(String(b.ts)) ||
    String(a.chain).localeCompare(String(b.chain)) ||
    Number(a.seq) - Number(b.seq)
  );
}

/** A display cell: `-` for null/undefined. */
export function cell(value: unknown): string {
  return value === null || value === undefined || value === '' ? '-' : printable(String(value));
}

/**
 * Text from a record as one printable line: line breaks and other control characters (a multi-line error message,
 * or terminal escape sequences planted in a record) are shown escaped (`\n`, `\u001b`), never obeyed.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters made visible.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) =>
    char === '\n'
      ? '\\n'
      : char === '\r'
        ? '\\r'
        : char === '\t'
          ? '\\t'
          : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
