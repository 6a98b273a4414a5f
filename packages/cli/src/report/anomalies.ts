import type { SourcedRecord } from '../sources/record-source.js';
import { UsageError } from '../usage-error.js';
import { callFacts, mcpSide, pairCalls } from './one-record-per-call.js';

/** Off-hours: an hour is unusual for a user when it holds fewer than this share of their accesses… */
export const OFF_HOURS_SHARE = 0.05;
/** …and only users with at least this many accesses have a "usual" pattern to compare with. */
export const OFF_HOURS_MIN_ACCESSES = 20;

export interface Anomaly {
  kind: 'emergency' | 'repeated_access' | 'failure_burst' | 'off_hours';
  /** Whether a break-the-glass access is involved (these are listed first). */
  emergency: boolean;
  user: string | null;
  subject: string | null;
  tool: string | null;
  count: number;
  first: string;
  last: string;
  description: string;
}

interface Access {
  at: number;
  user: string | null;
  subject: string | null;
  tool: string | null;
  success: boolean;
  emergency: boolean;
  reason: string | null;
}

/** `30m`, `1h`, `2d`, `90s` → milliseconds. */
export function parseWindow(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match?.[2] as 's'];
  if (!match || !unit || Number(match[1]) === 0)
    throw new UsageError(`--window must look like 30m, 1h or 2d, not ${JSON.stringify(text)}`);
  return Number(match[1]) * unit;
}

const iso = (millis: number) => new Date(millis).toISOString();
const str = (value: unknown) => (value === null || value === undefined ? null : String(value));

/**
 * Finds anomalies in tool calls. Holds one small row per call (time, user, subject, tool, outcome), not the
 * records (except MCP records until their two sides are paired: a call audited on both sides is one access).
 * Emergency findings first, then by time.
 */
export async function detectAnomalies(
  records: AsyncIterable<SourcedRecord>,
  options: { windowMillis: number; threshold: number },
): Promise<Anomaly[]> {
  const accesses: Access[] = [];
  const add = (record: Record<string, unknown>) => {
    const at = Date.parse(String(record.ts));
    if (!Number.isFinite(at)) return;
    accesses.push({
      at,
      user: str(record.user),
      subject: str(record.subject),
      tool: str(record.tool),
      success: record.success === true,
      emergency: record.emergency === true,
      reason: str(record.emergency_reason),
    });
  };
  const mcp: Array<Record<string, unknown>> = [];
  for await (const { record } of records) {
    if (mcpSide(record) === undefined) add(record);
    else mcp.push(record);
  }
  for (const call of pairCalls(mcp)) add(callFacts(call));
  accesses.sort((a, b) => a.at - b.at);
  const found: Anomaly[] = [];
  const base = { user: null, subject: null, tool: null } as const;
  for (const access of accesses.filter((a) => a.emergency)) {
    found.push({
      ...base,
      kind: 'emergency',
      emergency: true,
      user: access.user,
      subject: access.subject,
      tool: access.tool,
      count: 1,
      first: iso(access.at),
      last: iso(access.at),
      description: `break-the-glass: ${access.user ?? '?'} ran ${access.tool ?? '?'} on ${access.subject ?? '-'}${access.reason ? ` (${access.reason})` : ''}`,
    });
  }
  const byUserSubject = group(
    accesses.filter((a) => a.subject !== null),
    (a) => `${a.user}\u0000${a.subject}`,
  );
  for (const group of byUserSubject.values()) {
    for (const burst of bursts(group, options)) {
      const sample = group[0]!;
      found.push({
        ...base,
        kind: 'repeated_access',
        emergency: burst.rows.some((a) => a.emergency),
        user: sample.user,
        subject: sample.subject,
        count: burst.peak,
        first: iso(burst.rows[0]!.at),
        last: iso(burst.rows.at(-1)!.at),
        description: `${sample.user ?? '?'} accessed ${sample.subject} ${burst.peak} times within ${windowText(options.windowMillis)}`,
      });
    }
  }
  const failuresByTool = group(
    accesses.filter((a) => !a.success),
    (a) => String(a.tool),
  );
  for (const group of failuresByTool.values()) {
    for (const burst of bursts(group, options)) {
      found.push({
        ...base,
        kind: 'failure_burst',
        emergency: burst.rows.some((a) => a.emergency),
        tool: group[0]!.tool,
        count: burst.peak,
        first: iso(burst.rows[0]!.at),
        last: iso(burst.rows.at(-1)!.at),
        description: `${group[0]!.tool} failed ${burst.peak} times within ${windowText(options.windowMillis)}`,
      });
    }
  }
  for (const [user, rows] of group(
    accesses.filter((a) => a.user !== null),
    (a) => String(a.user),
  )) {
    if (rows.length < OFF_HOURS_MIN_ACCESSES) continue;
    const perHour = group(rows, (a) => String(new Date(a.at).getUTCHours()));
    for (const [hour, inHour] of perHour) {
      if (inHour.length >= OFF_HOURS_SHARE * rows.length) continue;
      found.push({
        ...base,
        kind: 'off_hours',
        emergency: inHour.some((a) => a.emergency),
        user,
        count: inHour.length,
        first: iso(inHour[0]!.at),
        last: iso(inHour.at(-1)!.at),
        description: `${user}: ${inHour.length} of ${rows.length} accesses at ${hour.padStart(2, '0')}:00–${hour.padStart(2, '0')}:59 UTC (< ${OFF_HOURS_SHARE * 100}% of their accesses)`,
      });
    }
  }
  return found.sort((a, b) => Number(b.emergency) - Number(a.emergency) || a.first.localeCompare(b.first));
}

function group<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const name = key(row);
    const list = groups.get(name);
    if (list) list.push(row);
    else groups.set(name, [row]);
  }
  return groups;
}

/**
 * Maximal runs (time-sorted rows) in which some window of `windowMillis` holds >= threshold rows; `peak` is the
 * largest count in one window. Overlapping windows make one burst.
 */
function bursts(
  rows: Access[],
  options: { windowMillis: number; threshold: number },
): Array<{ rows: Access[]; peak: number }> {
  const result: Array<{ rows: Access[]; peak: number }> = [];
  let start = 0;
  let current: { from: number; to: number; peak: number } | undefined;
  for (let end = 0; end < rows.length; end++) {
    while (rows[end]!.at - rows[start]!.at > options.windowMillis) start++;
    const count = end - start + 1;
    if (count >= options.threshold) {
      if (current && start <= current.to) {
        current.to = end;
        current.peak = Math.max(current.peak, count);
      } else {
        if (current) result.push({ rows: rows.slice(current.from, current.to + 1), peak: current.peak });
        current = { from: start, to: end, peak: count };
      }
    }
  }
  if (current) result.push({ rows: rows.slice(current.from, current.to + 1), peak: current.peak });
  return result;
}

function windowText(millis: number): string {
  if (millis % 86_400_000 === 0) return `${millis / 86_400_000}d`;
  if (millis % 3_600_000 === 0) return `${millis / 3_600_000}h`;
  if (millis % 60_000 === 0) return `${millis / 60_000}m`;
  return `${millis / 1000}s`;
}
