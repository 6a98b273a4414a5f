import { describe, expect, it } from 'vitest';
import { CANARIES, leaks } from '../pii/corpus-v1.js';
import { leaksIn } from './canaries.js';
import { runNodeSdkScenario, SCENARIO_CANARIES } from './node-sdk-scenario.js';

interface JsonSpan {
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}

/** The spans of every OTLP/JSON trace request the capture server received. */
function spansOf(body: Buffer): JsonSpan[] {
  // Requests are concatenated: split them at the top-level object boundaries.
  const text = body.toString('utf8').replace(/}{"resourceSpans"/g, '}\n{"resourceSpans"');
  return text
    .split('\n')
    .flatMap(
      (line) =>
        (JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }> })
          .resourceSpans,
    )
    .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
}

const attribute = (span: JsonSpan, key: string) =>
  span.attributes.find((entry) => entry.key === key)?.value.stringValue;

describe('an existing NodeSDK setup with the HTTP and undici instrumentations, OTLP http/json', () => {
  it('exports no canary in traces, records or the trail, and keeps the semantic-convention addresses', async () => {
    const result = await runNodeSdkScenario('http/json');
    expect(result.corpusInUrls).toBeGreaterThan(50);
    expect(result.served).toBe(2 + result.corpusInUrls);
    expect(result.contentTypes.every((type) => type.includes('json'))).toBe(true);
    expect(result.traces.length).toBeGreaterThan(0);
    expect(result.logs.length).toBeGreaterThan(0);
    expect(leaksIn(result.traces, SCENARIO_CANARIES)).toEqual([]);
    expect(leaksIn(result.logs, SCENARIO_CANARIES)).toEqual([]);
    expect(leaksIn(result.trail, SCENARIO_CANARIES)).toEqual([]);
    // The PII corpus, in any decoded form.
    const corpusLeaks = (bytes: Buffer | string) => leaks(bytes).map((canary) => canary.id);
    expect(corpusLeaks(result.traces)).toEqual([]);
    expect(corpusLeaks(result.logs)).toEqual([]);
    expect(corpusLeaks(result.trail)).toEqual([]);

    expect(result.trail.match(/"type":"tool_call"/g)).toHaveLength(2 + CANARIES.length);
    const spans = spansOf(result.traces);
    // The URLs were exported, with the query values masked rather than dropped.
    const queries = spans
      .map((span) => attribute(span, 'url.query'))
      .filter((query) => query?.includes('email=') === true);
    expect(queries.length).toBeGreaterThanOrEqual(2);
    for (const query of queries) expect(query).toMatch(/email=.*REDACTED/);
    const http = spans.filter(
      (span) => attribute(span, 'url.path')?.startsWith('/patients/') || attribute(span, 'url.full'),
    );
    // http client + server, fetch client + server.
    expect(http.length).toBeGreaterThanOrEqual(4);
    const clients = http.filter((span) => span.kind === 3);
    const servers = http.filter((span) => span.kind === 2);
    expect(clients.length).toBeGreaterThanOrEqual(2);
    expect(servers.length).toBeGreaterThanOrEqual(2);
    for (const span of clients) expect(attribute(span, 'server.address')).toBe('127.0.0.1');
    for (const span of servers) {
      expect(attribute(span, 'client.address')).toBe('127.0.0.1');
      expect(attribute(span, 'network.peer.address')).toBe('127.0.0.1');
    }
  }, 120_000);
});
