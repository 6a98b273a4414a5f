import { RECORD_ATTRIBUTES } from '@tooltrail/core/internal';
import { InputError } from '../usage-error.js';
import {
  envLimit,
  getJson,
  printableSource,
  quoted,
  regexEscape,
  stripScheme,
  subjectEither,
  timeWindows,
} from './http-json.js';
import {
  matchesFilter,
  type OnMalformed,
  parseRecordLine,
  type RecordFilter,
  type RecordSource,
  type SourcedRecord,
} from './record-source.js';

const DAY_MS = 86_400_000;

/** Loki's name for a log attribute kept as structured metadata (dots become underscores). */
const metadata = (attribute: string): string => attribute.replaceAll('.', '_');
const CHAIN = metadata(RECORD_ATTRIBUTES.chain.log);
const RECORD_TYPE = metadata(RECORD_ATTRIBUTES.type.log);
const CONVERSATION = metadata(RECORD_ATTRIBUTES.conversation.log);
const USER = metadata(RECORD_ATTRIBUTES.user.log);
const TOOL = metadata(RECORD_ATTRIBUTES.tool.log);
const SUBJECT = metadata(RECORD_ATTRIBUTES.subject.log);

export interface LokiSourceOptions {
  /** Stream selector. @default `{service_name=~".+"}` (env TOOLTRAIL_LOKI_SELECTOR) */
  selector?: string;
  /** Entries per request. @default 5000 (Loki's default max_entries_limit_per_query; env TOOLTRAIL_LOKI_LIMIT) */
  limit?: number;
  /** Longest range per query (Loki rejects ranges past max_query_length). @default 30 days */
  windowMillis?: number;
  /** Lower bound when the command gives none. @default now - 30 days */
  defaultLookbackMillis?: number;
  /** X-Scope-OrgID for multi-tenant Loki (env TOOLTRAIL_LOKI_TENANT). */
  tenant?: string;
  now?: () => number;
}

interface LokiStreams {
  status?: string;
  data?: { resultType?: string; result?: Array<{ values?: Array<[string, string, unknown?]> }> };
}

/**
 * Loki's `/loki/api/v1/query_range`: log lines are the canonical record lines. Pages forward through time
 * (`direction=forward`, `limit`), restarting each page at the last timestamp and skipping the entries already
 * seen at that timestamp; long ranges are split into windows.
 */
/** How far a record's `ts` may be from its Loki line time before the collector sets the line time on arrival. */
const LINE_TIME_SKEW_MILLIS = 5 * 60_000;

export class LokiSource implements RecordSource {
  readonly label: string;
  private readonly _base: URL;
  private readonly _options: Required<Omit<LokiSourceOptions, 'tenant'>> & { tenant?: string };

  constructor(spec: string, options: LokiSourceOptions = {}) {
    this.label = printableSource(spec);
    this._base = stripScheme(spec, 'loki+');
    this._options = {
      selector: options.selector ?? process.env.TOOLTRAIL_LOKI_SELECTOR ?? '{service_name=~".+"}',
      limit: options.limit ?? envLimit('TOOLTRAIL_LOKI_LIMIT', 5000),
      windowMillis: options.windowMillis ?? 30 * DAY_MS,
      defaultLookbackMillis: options.defaultLookbackMillis ?? 30 * DAY_MS,
      tenant: options.tenant ?? process.env.TOOLTRAIL_LOKI_TENANT,
      now: options.now ?? Date.now,
    };
  }

  /** The LogQL query for a filter: selector, audit records only, structured-metadata filters pushed down. */
  logql(filter: RecordFilter): string {
    const stages = [`${CHAIN}!=""`];
    if (filter.toolCallsOnly) stages.push(`${RECORD_TYPE}="tool_call"`);
    if (filter.conversation !== undefined) stages.push(`${CONVERSATION}=${quoted(filter.conversation)}`);
    if (filter.user !== undefined) stages.push(`${USER}=${quoted(filter.user)}`);
    if (filter.tool !== undefined) stages.push(`${TOOL}=${quoted(filter.tool)}`);
    if (filter.subject !== undefined && filter.subjectPseudonym !== undefined) {
      stages.push(`${SUBJECT}=~${quoted(subjectEither(filter.subject, filter.subjectPseudonym))}`);
    } else if (filter.subject !== undefined) {
      stages.push(
        filter.subject.includes(':')
          ? `${SUBJECT}=${quoted(filter.subject)}`
          : `${SUBJECT}=~${quoted(`.*:${regexEscape(filter.subject)}`)}`,
      );
    }
    return `${this._options.selector} | ${stages.join(' | ')}`;
  }

  async *records(filter: RecordFilter, onMalformed: OnMalformed): AsyncGenerator<SourcedRecord> {
    for await (const { text, where } of this._lines(filter)) {
      const record = parseRecordLine(text, where, onMalformed);
      // Loki's filters are a push-down only: the record itself decides.
      if (record && matchesFilter(record, filter)) yield { record, text, file: where };
    }
  }

  verifiable(): { input: AsyncIterable<string>; ordered: boolean } {
    const lines = this._lines({});
    return {
      input: (async function* () {
        for await (const { text } of lines) yield text;
      })(),
      // Delivered by timestamp, not by seq: core sorts each chain.
      ordered: false,
    };
  }

  private async *_lines(filter: RecordFilter): AsyncGenerator<{ text: string; where: string }> {
    const { limit, windowMillis, defaultLookbackMillis, now } = this._options;
    // Loki's line time is the record's own `ts`, except for a record that reached the collector more than
    // LINE_TIME_SKEW_MILLIS late (a replay after an outage): its line time is when it arrived. So the query runs
    // from a little before `since` up to now, and each record is kept by its own `ts` (matchesFilter).
    const until = now();
    const since = (filter.since ?? (filter.until ?? until) - defaultLookbackMillis) - LINE_TIME_SKEW_MILLIS;
    const query = this.logql(filter);
    const headers: Record<string, string> = this._options.tenant
      ? { 'X-Scope-OrgID': this._options.tenant }
      : {};
    for (const [from, to] of timeWindows(since, until, windowMillis)) {
      let start = BigInt(from) * 1_000_000n;
      // Loki's end is exclusive: one nanosecond past the last millisecond of the window.
      const end = (BigInt(to) + 1n) * 1_000_000n;
      // Entries already yielded at `start` (counted: Loki may hold the same line twice), and the page size,
      // doubled while a page holds nothing new (every entry at one timestamp).
      let seenAtStart = new Map<string, number>();
      let pageLimit = limit;
      for (;;) {
        const url = new URL('/loki/api/v1/query_range', this._base);
        url.search = new URLSearchParams({
          query,
          start: start.toString(),
          end: end.toString(),
          limit: String(pageLimit),
          direction: 'forward',
        }).toString();
        const body = (await getJson(url, 'Loki', { headers })) as LokiStreams;
        if (body?.data?.resultType !== 'streams' || !Array.isArray(body.data.result))
          throw new InputError(`Loki answered query_range without a streams result (status ${body?.status})`);
        const entries: Array<{ ns: bigint; text: string }> = [];
        for (const stream of body.data.result)
          for (const [ns, text] of stream.values ?? []) entries.push({ ns: BigInt(ns), text });
        entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
        const skip = new Map(seenAtStart);
        let fresh = 0;
        for (const entry of entries) {
          const skipped = entry.ns === start ? (skip.get(entry.text) ?? 0) : 0;
          if (skipped > 0) {
            skip.set(entry.text, skipped - 1);
            continue;
          }
          fresh++;
          yield { text: entry.text, where: `loki@${entry.ns}` };
        }
        if (entries.length < pageLimit) break;
        const last = entries[entries.length - 1]?.ns as bigint;
        if (fresh === 0) {
          // A full page at one timestamp, all seen: there may be more at that timestamp; ask for a bigger page.
          if (pageLimit >= limit * 64)
            throw new InputError(`Loki holds more than ${pageLimit} entries at one timestamp (${last})`);
          pageLimit *= 2;
          continue;
        }
        pageLimit = limit;
        // Next page starts at the last timestamp (more entries may share it); skip the ones already yielded.
        const atLast = new Map<string, number>();
        for (const entry of entries)
          if (entry.ns === last) atLast.set(entry.text, (atLast.get(entry.text) ?? 0) + 1);
        seenAtStart = atLast;
        start = last;
      }
    }
  }
}
