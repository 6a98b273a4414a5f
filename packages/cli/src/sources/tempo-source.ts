import {
  ATTR_GEN_AI_OPERATION_NAME,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  RECORD_ATTRIBUTES,
} from '@tooltrail/core/internal';
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
  type RecordFilter,
  type RecordSource,
  type SourcedRecord,
} from './record-source.js';
import { type OtlpSpan, spanToRecord } from './span-record.js';

const DAY_MS = 86_400_000;

/** TraceQL names of the span attributes the filters look at. */
const CONVERSATION = `span.${RECORD_ATTRIBUTES.conversation.span}`;
const USER = `span.${RECORD_ATTRIBUTES.user.span}`;
const USER_ALIAS = `span.${RECORD_ATTRIBUTES.user.spanAlias}`;
const TOOL = `span.${RECORD_ATTRIBUTES.tool.span}`;
const SUBJECT = `span.${RECORD_ATTRIBUTES.subject.span}`;

export interface TempoSourceOptions {
  /** Traces per search. @default 200 (env TOOLTRAIL_TEMPO_LIMIT) */
  limit?: number;
  /** Longest range per search (Tempo caps a search's duration). @default 7 days */
  windowMillis?: number;
  /** Lower bound when the command gives none. @default now - 7 days */
  defaultLookbackMillis?: number;
  /** X-Scope-OrgID for multi-tenant Tempo (env TOOLTRAIL_TEMPO_TENANT). */
  tenant?: string;
  now?: () => number;
}

interface SearchResponse {
  traces?: Array<{ traceID?: string; startTimeUnixNano?: string }>;
}
interface TraceResponse {
  trace?: { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

/**
 * Tempo: `/api/search` with TraceQL finds traces holding `execute_tool` spans, `/api/v2/traces/<id>` fetches
 * each, and the rows are rebuilt from span attributes. Tempo holds spans, not the hashed records: it serves
 * timeline, query and stats, and cannot be verified. Pages back in time (Tempo returns the newest traces
 * first) by lowering `end` to the oldest trace of a full page; trace ids already read are skipped.
 */
export class TempoSource implements RecordSource {
  readonly label: string;
  private readonly _base: URL;
  private readonly _options: Required<Omit<TempoSourceOptions, 'tenant'>> & { tenant?: string };

  constructor(spec: string, options: TempoSourceOptions = {}) {
    this.label = printableSource(spec);
    this._base = stripScheme(spec, 'tempo+');
    this._options = {
      limit: options.limit ?? envLimit('TOOLTRAIL_TEMPO_LIMIT', 200),
      windowMillis: options.windowMillis ?? 7 * DAY_MS,
      defaultLookbackMillis: options.defaultLookbackMillis ?? 7 * DAY_MS,
      tenant: options.tenant ?? process.env.TOOLTRAIL_TEMPO_TENANT,
      now: options.now ?? Date.now,
    };
  }

  /** The TraceQL query for a filter. */
  traceql(filter: RecordFilter): string {
    const terms = [`span.${ATTR_GEN_AI_OPERATION_NAME} = "${GEN_AI_OPERATION_EXECUTE_TOOL}"`];
    if (filter.conversation !== undefined) terms.push(`${CONVERSATION} = ${quoted(filter.conversation)}`);
    if (filter.user !== undefined)
      terms.push(`(${USER_ALIAS} = ${quoted(filter.user)} || ${USER} = ${quoted(filter.user)})`);
    if (filter.tool !== undefined) terms.push(`${TOOL} = ${quoted(filter.tool)}`);
    if (filter.subject !== undefined && filter.subjectPseudonym !== undefined) {
      terms.push(`${SUBJECT} =~ ${quoted(subjectEither(filter.subject, filter.subjectPseudonym))}`);
    } else if (filter.subject !== undefined) {
      terms.push(
        filter.subject.includes(':')
          ? `${SUBJECT} = ${quoted(filter.subject)}`
          : `${SUBJECT} =~ ${quoted(`.*:${regexEscape(filter.subject)}`)}`,
      );
    }
    if (filter.failures) terms.push('status = error');
    return `{ ${terms.join(' && ')} }`;
  }

  async *records(filter: RecordFilter, onMalformed: OnMalformed): AsyncGenerator<SourcedRecord> {
    const headers: Record<string, string> = this._options.tenant
      ? { 'X-Scope-OrgID': this._options.tenant }
      : {};
    for await (const traceId of this._traceIds(filter, headers, onMalformed)) {
      const url = new URL(`/api/v2/traces/${encodeURIComponent(traceId)}`, this._base);
      const body = (await getJson(url, 'Tempo', { headers })) as TraceResponse;
      const resourceSpans = body?.trace?.resourceSpans ?? body?.resourceSpans ?? [];
      for (const resource of resourceSpans) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const record = spanToRecord(span);
            if (record && matchesFilter(record, filter)) yield { record, file: `tempo trace ${traceId}` };
          }
        }
      }
    }
  }

  verifiable(): undefined {
    return undefined;
  }

  private async *_traceIds(
    filter: RecordFilter,
    headers: Record<string, string>,
    onMalformed: OnMalformed,
  ): AsyncGenerator<string> {
    const { limit, windowMillis, defaultLookbackMillis, now } = this._options;
    const until = filter.until ?? now();
    const since = filter.since ?? until - defaultLookbackMillis;
    const q = this.traceql(filter);
    const seen = new Set<string>();
    for (const [from, to] of timeWindows(since, until, windowMillis)) {
      const start = Math.floor(from / 1000);
      let end = Math.ceil(to / 1000);
      for (;;) {
        const url = new URL('/api/search', this._base);
        url.search = new URLSearchParams({
          q,
          start: String(start),
          end: String(end),
          limit: String(limit),
        }).toString();
        const body = (await getJson(url, 'Tempo', { headers })) as SearchResponse;
        if (!Array.isArray(body?.traces))
          throw new InputError('Tempo answered /api/search without a traces list');
        let oldest = Number.POSITIVE_INFINITY;
        for (const trace of body.traces) {
          if (!trace.traceID) continue;
          oldest = Math.min(oldest, Number(BigInt(trace.startTimeUnixNano ?? '0') / 1_000_000_000n));
          if (seen.has(trace.traceID)) continue;
          seen.add(trace.traceID);
          yield trace.traceID;
        }
        if (body.traces.length < limit || !Number.isFinite(oldest)) break;
        // Newest first: the next page ends at the oldest trace's second, which Tempo includes, so traces
        // sharing that second are not lost (ids already read are skipped). A full page inside one second cannot
        // be paged past without skipping part of that second: say so.
        const lossy = oldest >= end;
        if (lossy)
          onMalformed(
            `Tempo search ending ${new Date(end * 1000).toISOString()}`,
            `more than ${limit} traces start within one second: some may be missing (raise TOOLTRAIL_TEMPO_LIMIT)`,
          );
        const next = lossy ? end - 1 : oldest;
        if (next < start) break;
        end = next;
      }
    }
  }
}
