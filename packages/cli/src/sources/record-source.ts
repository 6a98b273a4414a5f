import type { TrailSource } from '@tooltrail/core/verify';

/** A parsed record and where it was read (file and line for files; a URL or trace id for servers). */
export interface SourcedRecord {
  record: Record<string, unknown>;
  /** The record line exactly as stored (what the hash covers); absent for records rebuilt from spans. */
  text?: string;
  file?: string;
  line?: number;
}

/**
 * What a command wants. Every source applies the whole filter to what it yields; a server source also pushes
 * what it can down into its query (time range, labels, structured metadata, TraceQL).
 */
export interface RecordFilter {
  /** Epoch milliseconds, inclusive. */
  since?: number;
  until?: number;
  conversation?: string;
  user?: string;
  tool?: string;
  /** `patient:P-1`, or the bare id `P-1` matching any `<kind>:P-1`. */
  subject?: string;
  /** The subject's keyed pseudonym (`patient:hmac:…`), matched as well: records may hold either form. */
  subjectPseudonym?: string;
  failures?: boolean;
  /** Only `tool_call` records (most commands); verification needs every type. */
  toolCallsOnly?: boolean;
}

/** Reports a line that could not be read (file and line, or URL) and why; reading continues. */
export type OnMalformed = (where: string, reason: string) => void;

/** One reader interface over the local trail, the collector archive, Loki and Tempo. */
export interface RecordSource {
  /** Shown in messages, e.g. `.tooltrail` or `loki+http://loki:3100`. */
  readonly label: string;
  /** Streams the records matching `filter`, in the source's order (by file and line, or by time). */
  records(filter: RecordFilter, onMalformed: OnMalformed): AsyncIterable<SourcedRecord>;
  /**
   * What `verifyTrail` reads, and whether it is in stored order. Undefined when the source holds no hashed
   * records (Tempo keeps spans): such a source cannot be verified.
   */
  verifiable(onMalformed: OnMalformed): { input: TrailSource; ordered: boolean } | undefined;
}

/** Whether a record passes the filter (applied by every source, after any push-down). */
export function matchesFilter(record: Record<string, unknown>, filter: RecordFilter): boolean {
  if (filter.toolCallsOnly && record.type !== 'tool_call') return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const at = Date.parse(String(record.ts));
    if (!Number.isFinite(at)) return false;
    if (filter.since !== undefined && at < filter.since) return false;
    if (filter.until !== undefined && at > filter.until) return false;
  }
  if (filter.conversation !== undefined && record.conversation !== filter.conversation) return false;
  if (filter.user !== undefined && record.user !== filter.user) return false;
  if (filter.tool !== undefined && record.tool !== filter.tool) return false;
  if (filter.subject !== undefined && !subjectFilterMatches(record.subject, filter)) return false;
  if (filter.failures && record.success !== false) return false;
  return true;
}

/** The subject filter: its clear form, or its keyed pseudonym (a bare one matches any `<kind>:hmac:…`). */
function subjectFilterMatches(value: unknown, filter: RecordFilter): boolean {
  if (subjectMatches(value, filter.subject as string)) return true;
  const pseudonym = filter.subjectPseudonym;
  return (
    pseudonym !== undefined &&
    typeof value === 'string' &&
    (value === pseudonym || (pseudonym.startsWith('hmac:') && value.endsWith(`:${pseudonym}`)))
  );
}

/** `patient:P-1` matches itself; a bare `P-1` matches any `<kind>:P-1`. */
export function subjectMatches(value: unknown, wanted: string): boolean {
  if (typeof value !== 'string') return false;
  return value === wanted || (!wanted.includes(':') && value.endsWith(`:${wanted}`));
}

/** Parses one stored record line; undefined (after reporting) when it is not a JSON object. */
export function parseRecordLine(
  text: string,
  where: string,
  onMalformed: OnMalformed,
): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    onMalformed(where, `not JSON (${(error as Error).message})`);
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    onMalformed(where, 'not a JSON object');
    return undefined;
  }
  return value as Record<string, unknown>;
}
