import { UsageError } from '../usage-error.js';

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A `--since`/`--until` (or `--from`/`--to`) pair as epoch milliseconds, each optional; an upper bound before the
 * lower one is a usage error, not an empty answer.
 */
export function parseDateRange(
  [fromFlag, fromText]: [string, string | undefined],
  [toFlag, toText]: [string, string | undefined],
): { from?: number; to?: number } {
  const from = fromText === undefined ? undefined : parseDateFlag(fromFlag, fromText);
  const to = toText === undefined ? undefined : parseDateFlag(toFlag, toText, true);
  if (from !== undefined && to !== undefined && to < from)
    throw new UsageError(`${toFlag} ${toText} is before ${fromFlag} ${fromText}`);
  return { from, to };
}

/**
 * A date flag as epoch milliseconds: RFC 3339 with a zone, or a plain date read as UTC. A plain date as an
 * upper bound (`end: true`) means the end of that day.
 */
export function parseDateFlag(flag: string, text: string, end = false): number {
  if (PLAIN_DATE.test(text)) {
    const start = Date.parse(`${text}T00:00:00.000Z`);
    if (Number.isFinite(start) && new Date(start).toISOString().startsWith(text))
      return end ? start + 86_400_000 - 1 : start;
  } else if (RFC3339.test(text)) {
    const at = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(at)) return at;
  }
  throw new UsageError(
    `${flag} ${JSON.stringify(text)} is not a date: use YYYY-MM-DD (UTC) or RFC 3339 with a zone, e.g. 2026-03-01T08:00:00Z`,
  );
}
