import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorConfig, repoRoot } from './support/collector.js';
import { LokiAcceptance, lokiRules, parseDuration } from './support/loki-rules.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const ns = (millis: number) => BigInt(millis) * 1_000_000n;
const stream = '{service_name="agent", tooltrail_retention="healthcare"}';

describe('the Loki stand-in acceptance rules, read from stack/loki.yaml', () => {
  const rules = lokiRules();

  it('reads the stream labels and limits stack/loki.yaml sets', () => {
    expect(rules.streamLabels).toEqual(['service.name', 'tooltrail.retention']);
    expect(rules.maxAgeMillis).toBe(168 * HOUR);
    expect(rules.windowMillis).toBe(36 * HOUR);
    expect(rules.unorderedWrites).toBe(true);
  });

  it('covers with its window the outage the collector queue is sized for (queue_size at 10 records/s)', () => {
    const otelcol = parse(readFileSync(collectorConfig, 'utf8')) as {
      exporters: Record<string, { sending_queue: { queue_size: number } }>;
    };
    const queueSeconds = otelcol.exporters['otlp_http/loki']!.sending_queue.queue_size / 10;
    expect(rules.windowMillis).toBeGreaterThan(queueSeconds * 1000);
  });

  it('refuses an entry 30 h behind its stream under Loki defaults (max_chunk_age 2h), accepts it as configured', () => {
    const withDefaults = new LokiAcceptance({ ...rules, windowMillis: parseDuration('2h') / 2 }, () => NOW);
    const configured = new LokiAcceptance(rules, () => NOW);
    for (const loki of [withDefaults, configured]) {
      expect(loki.check(stream, ns(NOW), 'newest')).toBeUndefined();
    }
    expect(withDefaults.check(stream, ns(NOW - 30 * HOUR), 'late')).toMatchObject({
      reason: 'too far behind',
    });
    expect(configured.check(stream, ns(NOW - 30 * HOUR), 'late')).toBeUndefined();
    expect(configured.check(stream, ns(NOW - 37 * HOUR), 'later')).toMatchObject({
      reason: 'too far behind',
    });
    // Another stream has its own window.
    expect(configured.check('{service_name="other"}', ns(NOW - 37 * HOUR), 'x')).toBeUndefined();
  });

  it('refuses entries older than reject_old_samples_max_age or past the creation grace period', () => {
    const loki = new LokiAcceptance(rules, () => NOW);
    expect(loki.check(stream, ns(NOW - 169 * HOUR), 'old')).toMatchObject({ reason: 'too old' });
    expect(loki.check(stream, ns(NOW + 11 * 60_000), 'new')).toMatchObject({ reason: 'too new' });
    expect(loki.refusals).toHaveLength(2);
  });

  it('drops a repeat of the stream’s last entry (same time, same line) silently, as Loki does', () => {
    const loki = new LokiAcceptance(rules, () => NOW);
    expect(loki.check(stream, ns(NOW), 'line')).toBeUndefined();
    expect(loki.check(stream, ns(NOW), 'line')).toBe('duplicate');
    expect(loki.check(stream, ns(NOW), 'other line')).toBeUndefined();
    expect(loki.refusals).toEqual([]);
  });

  it('parses durations as Loki writes them', () => {
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(() => parseDuration('1 hour')).toThrow();
    expect(readFileSync(join(repoRoot, 'stack', 'loki.yaml'), 'utf8')).toContain('max_chunk_age: 72h');
  });
});
