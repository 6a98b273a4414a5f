import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LokiSource } from '../src/sources/loki-source.js';
import { cli, demoTrail, type FakeServer, fakeServer, sendJson } from './support/source-fixtures.js';

interface Entry {
  ns: bigint;
  line: string;
  record: Record<string, unknown>;
}

/**
 * A fake Loki serving `/loki/api/v1/query_range` as its HTTP API documents it: `streams` result, entries
 * `[<ns string>, <line>]`, `start` inclusive, `end` exclusive, `limit`, `direction=forward`. Entries come in
 * groups of three sharing one timestamp, so page boundaries fall inside a group. Structured-metadata filters
 * in the query for conversation and record type are honoured; other LogQL is ignored.
 */
function lokiHandler(entries: Entry[], seenHeaders: Array<string | undefined>) {
  return (
    url: URL,
    request: import('node:http').IncomingMessage,
    response: import('node:http').ServerResponse,
  ) => {
    seenHeaders.push(request.headers['x-scope-orgid'] as string | undefined);
    if (url.pathname !== '/loki/api/v1/query_range') return sendJson(response, 404, { error: 'not found' });
    const query = url.searchParams.get('query') ?? '';
    const start = BigInt(url.searchParams.get('start') ?? '0');
    const end = BigInt(url.searchParams.get('end') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? '100');
    if (url.searchParams.get('direction') !== 'forward')
      return sendJson(response, 400, { error: 'direction' });
    const conversation = /gen_ai_conversation_id="([^"]+)"/.exec(query)?.[1];
    const toolCalls = query.includes('tooltrail_record_type="tool_call"');
    const page = entries
      .filter((entry) => entry.ns >= start && entry.ns < end)
      .filter((entry) => conversation === undefined || entry.record.conversation === conversation)
      .filter((entry) => !toolCalls || entry.record.type === 'tool_call')
      .slice(0, limit);
    // One stream per retention label, as Loki groups entries by label set.
    const streams = new Map<string, Array<[string, string]>>();
    for (const entry of page) {
      const label = String(entry.record.retention ?? 'none');
      streams.set(label, [...(streams.get(label) ?? []), [entry.ns.toString(), entry.line]]);
    }
    sendJson(response, 200, {
      status: 'success',
      data: {
        resultType: 'streams',
        result: [...streams].map(([retention, values]) => ({
          stream: { service_name: 'medical-assistant', tooltrail_retention: retention },
          values,
        })),
        stats: {},
      },
    });
  };
}

describe('the Loki source (against a fake query_range server, not a live Loki)', () => {
  let trail: ReturnType<typeof demoTrail>;
  let entries: Entry[];
  let server: FakeServer;
  const tenants: Array<string | undefined> = [];

  beforeAll(async () => {
    trail = demoTrail('tooltrail-loki-');
    const records = trail.lines.map((line) => ({ line, record: JSON.parse(line) }));
    records.sort((a, b) => String(a.record.ts).localeCompare(String(b.record.ts)));
    const base = BigInt(Date.parse(String(records[0]?.record.ts))) * 1_000_000n;
    entries = records.map((item, i) => ({ ...item, ns: base + BigInt(Math.floor(i / 3)) * 1_000_000n }));
    server = await fakeServer(lokiHandler(entries, tenants));
  });
  afterAll(() => server.close());

  it('pages forward through every entry exactly once (ties at page boundaries) and verifies', async () => {
    server.requests.length = 0;
    const run = await cli(
      ['verify', '--source', `loki+${server.url}`, '--public-key', trail.publicKey, '--json'],
      {
        TOOLTRAIL_LOKI_LIMIT: '4',
        TOOLTRAIL_LOKI_TENANT: 'clinic-a',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.records).toBe(entries.length);
    expect(report.problems).toEqual([]);
    const pages = server.requests.filter((url) => url.pathname === '/loki/api/v1/query_range');
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(entries.length / 4));
    const starts = pages.map((url) => BigInt(url.searchParams.get('start') ?? '0'));
    for (const [i, start] of starts.entries())
      if (i > 0) expect(start >= (starts[i - 1] as bigint)).toBe(true);
    expect(pages.every((url) => url.searchParams.get('limit') === '4')).toBe(true);
    expect(pages[0]?.searchParams.get('query')).toBe('{service_name=~".+"} | tooltrail_chain!=""');
    expect(tenants.at(-1)).toBe('clinic-a');
  });

  it('pushes the conversation down as structured metadata and prints the same timeline as the trail', async () => {
    const conversation = String(
      entries.find((e) => /_billing$/.test(String(e.record.conversation)))?.record.conversation,
    );
    server.requests.length = 0;
    const fromLoki = await cli(['timeline', conversation, '--source', `loki+${server.url}`], {
      TOOLTRAIL_LOKI_LIMIT: '2',
      TOOLTRAIL_PUBLIC_KEY_FILE: trail.publicKey,
    });
    const local = await cli(['timeline', conversation, trail.dir], {
      TOOLTRAIL_PUBLIC_KEY_FILE: trail.publicKey,
    });
    expect(fromLoki.code).toBe(0);
    // Every chain Loki holds is verified, not only the conversation's records.
    expect(fromLoki.stderr).toMatch(
      new RegExp(`^✔ integrity: intact: ${entries.length} records in 1 chain\\(s\\) of loki\\+http`),
    );
    expect(local.stderr).toMatch(/^✔ integrity: intact: /);
    expect(fromLoki.stdout).toBe(local.stdout);
    expect(fromLoki.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(2);
    expect(server.requests[0]?.searchParams.get('query')).toBe(
      `{service_name=~".+"} | tooltrail_chain!="" | tooltrail_record_type="tool_call" | gen_ai_conversation_id="${conversation}"`,
    );
  });

  it('splits a long range into windows no longer than windowMillis', async () => {
    const day = 86_400_000;
    const now = Date.parse(String(entries.at(-1)?.record.ts)) + 1000;
    const source = new LokiSource(`loki+${server.url}`, { windowMillis: day, limit: 100, now: () => now });
    server.requests.length = 0;
    const seen: unknown[] = [];
    // The query starts 5 minutes before `since` (the line-time skew a late record may have).
    const since = now - 3 * day + 1 + 5 * 60_000;
    for await (const { record } of source.records({ since }, () => {})) seen.push(record);
    expect(seen).toHaveLength(entries.length);
    const windows = server.requests.map((url) => [
      BigInt(url.searchParams.get('start') ?? '0'),
      BigInt(url.searchParams.get('end') ?? '0'),
    ]);
    expect(windows).toHaveLength(3);
    for (const [start, end] of windows)
      expect((end as bigint) - (start as bigint)).toBeLessThanOrEqual(BigInt(day) * 1_000_000n);
  });

  it('finds a record replayed late: its line time is its arrival, after the requested period', async () => {
    const first = entries[0] as Entry;
    const ts = Date.parse(String(first.record.ts));
    // Replayed a day late: the collector set the line time to the arrival.
    const late = [{ ...first, ns: BigInt(ts + 86_400_000) * 1_000_000n }];
    const loki = await fakeServer(lokiHandler(late, []));
    try {
      const source = new LokiSource(`loki+${loki.url}`, { now: () => ts + 2 * 86_400_000 });
      const found: unknown[] = [];
      for await (const { record } of source.records({ since: ts - 1000, until: ts + 1000 }, () => {}))
        found.push(record);
      expect(found).toEqual([first.record]);
    } finally {
      await loki.close();
    }
  });

  it('reads more entries at one timestamp than a page holds, and keeps a line Loki holds twice', async () => {
    const ns = entries[0]?.ns as bigint;
    const same = entries.slice(0, 7).map((entry) => ({ ...entry, ns }));
    same.push({ ...(same[2] as Entry) });
    const tied = await fakeServer(lokiHandler(same, []));
    try {
      const now = Number(ns / 1_000_000n) + 1000;
      const source = new LokiSource(`loki+${tied.url}`, { limit: 2, now: () => now });
      const lines: string[] = [];
      for await (const { text } of source.records({}, () => {})) lines.push(text as string);
      expect(lines.sort()).toEqual(same.map((entry) => entry.line).sort());
      expect(tied.requests.map((url) => url.searchParams.get('limit'))).toContain('8');
    } finally {
      await tied.close();
    }
  });

  it('sends the user name and password of a source URL as HTTP Basic auth, and never prints them', async () => {
    const secret = 's3cretTokenCanary';
    const authorizations: Array<string | undefined> = [];
    const guarded = await fakeServer((_url, request, response) => {
      authorizations.push(request.headers.authorization);
      sendJson(response, 401, { message: 'no' });
    });
    const source = `loki+${guarded.url.replace('http://', `http://svc:${secret}@`)}`;
    const answered = await cli(['timeline', 'conv_x', '--source', source]);
    await guarded.close();
    expect(authorizations[0]).toBe(`Basic ${Buffer.from(`svc:${secret}`).toString('base64')}`);
    const down = await cli(['timeline', 'conv_x', '--source', source]);
    const malformed = await cli(['timeline', 'conv_x', '--source', `loki+http://svc:${secret}@[::1`]);
    const unknown = await cli(['timeline', 'conv_x', '--source', `ftp://svc:${secret}@127.0.0.1/`]);
    for (const run of [answered, down, malformed, unknown]) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
    // The source's label (messages, the integrity section of reports) names the server without them.
    const empty = await fakeServer((_url, _request, response) =>
      sendJson(response, 200, { status: 'success', data: { resultType: 'streams', result: [] } }),
    );
    const none = await cli([
      'timeline',
      'conv_x',
      '--source',
      `loki+${empty.url.replace('//', `//svc:${secret}@`)}`,
    ]);
    await empty.close();
    expect(none.stderr).toContain('no tool calls found for conversation conv_x');
    expect(none.stdout + none.stderr).not.toContain(secret);
    expect(answered.stderr).toMatch(/Loki answered 401/);
    expect(down.stderr).toMatch(/cannot reach Loki/);
  });

  it('says clearly when Loki is unreachable or answers an error (exit 2)', async () => {
    const down = await fakeServer(() => {});
    await down.close();
    const unreachable = await cli(['verify', '--source', `loki+${down.url}`]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot reach Loki at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    const failing = await fakeServer((_url, _request, response) =>
      sendJson(response, 500, { message: 'boom' }),
    );
    const answered = await cli(['timeline', 'conv_x', '--source', `loki+${failing.url}`]);
    await failing.close();
    expect(answered.code).toBe(2);
    expect(answered.stderr).toMatch(/Loki answered 500 .*boom/);
  });
});
