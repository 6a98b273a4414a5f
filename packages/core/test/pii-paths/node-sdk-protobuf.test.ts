import { describe, expect, it } from 'vitest';
import { leaks } from '../pii/corpus-v1.js';
import { leaksIn } from './canaries.js';
import { runNodeSdkScenario, SCENARIO_CANARIES } from './node-sdk-scenario.js';

/**
 * The protobuf `KeyValue` of a string attribute as it is encoded on the wire: key (field 1), then an
 * `AnyValue` (field 2) holding `string_value` (field 1). Searching the raw bytes for it needs no decoder.
 */
function stringAttribute(key: string, value: string): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const valueBytes = Buffer.from(value, 'utf8');
  const anyValue = Buffer.concat([Buffer.from([0x0a, valueBytes.length]), valueBytes]);
  return Buffer.concat([
    Buffer.from([0x0a, keyBytes.length]),
    keyBytes,
    Buffer.from([0x12, anyValue.length]),
    anyValue,
  ]);
}

function count(haystack: Buffer, needle: Buffer): number {
  let found = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) found++;
  return found;
}

describe('an existing NodeSDK setup with the HTTP and undici instrumentations, OTLP http/protobuf', () => {
  it('exports no canary in traces, records or the trail, and keeps the semantic-convention addresses', async () => {
    const result = await runNodeSdkScenario('http/protobuf');
    expect(result.corpusInUrls).toBeGreaterThan(50);
    expect(result.served).toBe(2 + result.corpusInUrls);
    expect(result.contentTypes.every((type) => type.includes('protobuf'))).toBe(true);
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
    // Two client spans (http, fetch) name the server; two server spans name their client and peer.
    expect(count(result.traces, stringAttribute('server.address', '127.0.0.1'))).toBeGreaterThanOrEqual(2);
    expect(count(result.traces, stringAttribute('client.address', '127.0.0.1'))).toBeGreaterThanOrEqual(2);
    expect(count(result.traces, stringAttribute('network.peer.address', '127.0.0.1'))).toBeGreaterThanOrEqual(
      2,
    );
    expect(result.traces.includes(Buffer.from('[REDACTED:address]'))).toBe(false);
  }, 120_000);
});
