import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempoSource } from '../src/sources/tempo-source.js';
import { cli, demoTrail, type FakeServer, fakeServer, sendJson } from './support/source-fixtures.js';

type Json = Record<string, unknown>;
interface Trace {
  id: string;
  startNs: bigint;
  spans: Json[];
  records: Json[];
}

const attribute = (key: string, value: unknown) =>
  typeof value === 'number'
    ? { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }
    : typeof value === 'boolean'
      ? { key, value: { boolValue: value } }
      : { key, value: { stringValue: String(value) } };

/** The `execute_tool` span the SDK would have exported for a record, in OTLP JSON (ids base64, as protobuf JSON). */
function spanOf(record: Json, startNs: bigint): Json {
  const fields: Array<[string, unknown]> = [
    ['gen_ai.operation.name', 'execute_tool'],
    ['gen_ai.tool.name', record.tool],
    ['gen_ai.tool.call.arguments', JSON.stringify(record.args)],
    ['gen_ai.tool.call.result', JSON.stringify(record.result)],
    ['gen_ai.conversation.id', record.conversation],
    ['enduser.id', record.user],
    ['tooltrail.role', record.role],
    ['tooltrail.turn', record.turn],
    ['tooltrail.trigger', record.trigger],
    ['tooltrail.purpose', record.purpose],
    ['tooltrail.subject', record.subject],
    ['tooltrail.chain.id', record.chain],
    ['tooltrail.chain.seq', record.seq],
    ['tooltrail.emergency', record.emergency],
  ];
  const failed = record.success === false;
  return {
    traceId: Buffer.from(String(record.trace_id), 'hex').toString('base64'),
    spanId: Buffer.from(String(record.span_id), 'hex').toString('base64'),
    name: `execute_tool ${record.tool}`,
    kind: 'SPAN_KIND_INTERNAL',
    startTimeUnixNano: startNs.toString(),
    endTimeUnixNano: (startNs + BigInt(Math.round(Number(record.duration_ms) * 1e6))).toString(),
    attributes: fields
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([k, v]) => attribute(k, v)),
    status: failed
      ? { code: 'STATUS_CODE_ERROR', message: (record.error as { message?: string } | null)?.message ?? '' }
      : {},
  };
}

/**
 * A fake Tempo: `/api/search` (newest traces first, `start`/`end` in seconds inclusive, `limit`; honours the
 * TraceQL conversation term) and `/api/v2/traces/<id>` (`{ trace: { resourceSpans } }`). Each trace starts in
 * its own second so paging by time can be exercised.
 */
function tempoHandler(traces: Trace[]) {
  return (url: URL, _request: unknown, response: import('node:http').ServerResponse) => {
    if (url.pathname === '/api/search') {
      const q = url.searchParams.get('q') ?? '';
      if (!q.includes('span.gen_ai.operation.name = "execute_tool"')) return sendJson(response, 400, {});
      const conversation = /span\.gen_ai\.conversation\.id = "([^"]+)"/.exec(q)?.[1];
      const start = BigInt(url.searchParams.get('start') ?? '0') * 1_000_000_000n;
      const end = (BigInt(url.searchParams.get('end') ?? '0') + 1n) * 1_000_000_000n;
      const limit = Number(url.searchParams.get('limit') ?? '20');
      const found = traces
        .filter((t) => t.startNs >= start && t.startNs < end)
        .filter((t) => !conversation || t.records.some((r) => r.conversation === conversation))
        .sort((a, b) => (a.startNs > b.startNs ? -1 : 1))
        .slice(0, limit);
      return sendJson(response, 200, {
        traces: found.map((t) => ({
          traceID: t.id,
          rootServiceName: 'medical-assistant',
          rootTraceName: 'agent turn',
          startTimeUnixNano: t.startNs.toString(),
          durationMs: 5,
          spanSets: [{ spans: [], matched: t.spans.length }],
        })),
        metrics: { inspectedTraces: traces.length },
      });
    }
    const id = /^\/api\/v2\/traces\/([0-9a-f]+)$/.exec(url.pathname)?.[1];
    const trace = traces.find((t) => t.id === id);
    if (!trace) return sendJson(response, 404, { error: 'trace not found' });
    sendJson(response, 200, {
      trace: {
        resourceSpans: [
          {
            resource: { attributes: [attribute('service.name', 'medical-assistant')] },
            scopeSpans: [{ scope: { name: 'tooltrail' }, spans: trace.spans }],
          },
        ],
      },
    });
  };
}

describe('the Tempo source (against a fake search/trace server, not a live Tempo)', () => {
  let trail: ReturnType<typeof demoTrail>;
  let traces: Trace[];
  let calls: Json[];
  let server: FakeServer;

  beforeAll(async () => {
    trail = demoTrail('tooltrail-tempo-');
    calls = trail.lines.map((line) => JSON.parse(line)).filter((r) => r.type === 'tool_call');
    const byTrace = new Map<string, Json[]>();
    for (const record of calls)
      byTrace.set(String(record.trace_id), [...(byTrace.get(String(record.trace_id)) ?? []), record]);
    const ordered = [...byTrace].sort(([, a], [, b]) => String(a[0]?.ts).localeCompare(String(b[0]?.ts)));
    const base = BigInt(Math.floor(Date.now() / 1000) - 3600) * 1_000_000_000n;
    traces = ordered.map(([id, records], i) => {
      const first = Date.parse(String(records[0]?.ts));
      const startNs = base + BigInt(i) * 1_000_000_000n;
      const spans = records.map((r) =>
        spanOf(r, startNs + BigInt(Date.parse(String(r.ts)) - first) * 1_000_000n),
      );
      return { id, startNs, spans, records };
    });
    server = await fakeServer(tempoHandler(traces));
  });
  afterAll(() => server.close());

  it('pages back through the search and rebuilds every tool call from its span', async () => {
    expect(traces.length).toBeGreaterThan(4);
    server.requests.length = 0;
    const source = new TempoSource(`tempo+${server.url}`, { limit: 2 });
    const rows: Json[] = [];
    for await (const { record } of source.records({}, () => {})) rows.push(record);
    expect(rows).toHaveLength(calls.length);
    const searches = server.requests.filter((url) => url.pathname === '/api/search');
    expect(searches.length).toBeGreaterThanOrEqual(Math.ceil(traces.length / 2));
    const fetched = server.requests.filter((url) => url.pathname.startsWith('/api/v2/traces/'));
    expect(fetched).toHaveLength(traces.length);
    const failed = calls.find((r) => r.success === false) as Json;
    const row = rows.find((r) => r.span_id === failed.span_id) as Json;
    expect(row).toMatchObject({
      trace_id: failed.trace_id,
      tool: failed.tool,
      success: false,
      user: failed.user,
      conversation: failed.conversation,
      turn: failed.turn,
      args: failed.args,
      chain: failed.chain,
      seq: failed.seq,
    });
  });

  it('prints the same timeline as the trail, with the conversation in the TraceQL query', async () => {
    const conversation = String(calls.find((r) => /_billing$/.test(String(r.conversation)))?.conversation);
    server.requests.length = 0;
    const fromTempo = await cli(['timeline', conversation, '--source', `tempo+${server.url}`], {
      TOOLTRAIL_TEMPO_LIMIT: '2',
    });
    const local = await cli(['timeline', conversation, trail.dir, '--public-key', trail.publicKey]);
    expect(local.stderr).toMatch(/^✔ integrity: intact: /);
    // Spans carry no hashes: the timeline says so instead of vouching for what it shows.
    expect(fromTempo.stderr).toMatch(
      /^⚠ integrity: NOT VERIFIED: tempo\+http:\/\/127\.0\.0\.1:\d+ holds spans, not the hashed audit records\n$/,
    );
    expect(fromTempo.code).toBe(0);
    // The same rows, each marked: no checkpoint can vouch for a span.
    const rows = local.stdout.trimEnd().split('\n');
    expect(rows.length).toBeGreaterThan(1);
    expect(fromTempo.stdout).toBe(`${rows.map((row) => `${row} UNPROTECTED`).join('\n')}\n`);
    expect(server.requests[0]?.searchParams.get('q')).toBe(
      `{ span.gen_ai.operation.name = "execute_tool" && span.gen_ai.conversation.id = "${conversation}" }`,
    );
  });

  it('refuses to verify: Tempo holds spans, not the hashed records (exit 2)', async () => {
    const run = await cli(['verify', '--source', `tempo+${server.url}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('holds spans, not the hashed audit records: it cannot be verified');
  });

  it('turns filters into TraceQL', () => {
    const source = new TempoSource('tempo+http://127.0.0.1:1');
    expect(source.traceql({ user: 'dr_patel', subject: 'P-1001', failures: true })).toBe(
      '{ span.gen_ai.operation.name = "execute_tool" && (span.enduser.id = "dr_patel" || span.user.id = "dr_patel") && span.tooltrail.subject =~ ".*:P-1001" && status = error }',
    );
  });
});
