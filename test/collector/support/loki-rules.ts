import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './collector.js';

export const lokiConfigPath = join(repoRoot, 'stack', 'loki.yaml');

/**
 * Loki 3.5's acceptance rules for pushed entries, with the values stack/loki.yaml sets (Loki's defaults where
 * it sets none). Distributor: `reject_old_samples_max_age` (too old) and `creation_grace_period` (too new).
 * Ingester, per stream (`pkg/ingester/stream.go`): with unordered writes, an entry more than
 * `max_chunk_age / 2` behind the newest entry already in its stream is refused ("entry too far behind");
 * an entry equal in timestamp and line to the stream's last one is dropped silently as a duplicate.
 */
export interface LokiRules {
  /** Resource attributes that become stream labels (`index_label`). */
  streamLabels: string[];
  rejectOldSamples: boolean;
  maxAgeMillis: number;
  creationGraceMillis: number;
  unorderedWrites: boolean;
  /** max_chunk_age / 2. */
  windowMillis: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A Prometheus-style duration ("168h", "1h30m", "10m") in milliseconds. */
export function parseDuration(value: string): number {
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value)
    throw new Error(`not a duration: ${value}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit!]!, 0);
}

type LokiYaml = {
  ingester?: { max_chunk_age?: string };
  limits_config?: {
    reject_old_samples?: boolean;
    reject_old_samples_max_age?: string;
    creation_grace_period?: string;
    unordered_writes?: boolean;
    otlp_config?: {
      resource_attributes?: { attributes_config?: Array<{ action: string; attributes?: string[] }> };
    };
  };
};

/** The rules as a Loki config file sets them (defaults: Loki 3.5's). */
export function lokiRules(path = lokiConfigPath): LokiRules {
  const config = parse(readFileSync(path, 'utf8')) as LokiYaml;
  const limits = config.limits_config ?? {};
  const streamLabels = (limits.otlp_config?.resource_attributes?.attributes_config ?? [])
    .filter((rule) => rule.action === 'index_label')
    .flatMap((rule) => rule.attributes ?? []);
  return {
    streamLabels,
    rejectOldSamples: limits.reject_old_samples ?? true,
    maxAgeMillis: parseDuration(limits.reject_old_samples_max_age ?? '168h'),
    creationGraceMillis: parseDuration(limits.creation_grace_period ?? '10m'),
    unorderedWrites: limits.unordered_writes ?? true,
    windowMillis: parseDuration(config.ingester?.max_chunk_age ?? '2h') / 2,
  };
}

export interface Refusal {
  stream: string;
  reason: 'too old' | 'too new' | 'too far behind' | 'out of order';
  entryNanos: bigint;
  line: string;
}

/** Per-stream state (newest timestamp, last line) that outlives a stand-in restart, as Loki's WAL does. */
export class LokiAcceptance {
  readonly refusals: Refusal[] = [];
  duplicates = 0;
  private readonly _streams = new Map<string, { highest: bigint; lastTs: bigint; lastLine: string }>();

  constructor(
    readonly rules: LokiRules,
    private readonly _now: () => number = Date.now,
  ) {}

  /** Decides one entry; returns the refusal, 'duplicate', or undefined when Loki would store it. */
  check(stream: string, entryNanos: bigint, line: string): Refusal | 'duplicate' | undefined {
    const ms = 1_000_000n;
    const now = BigInt(this._now()) * ms;
    const refuse = (reason: Refusal['reason']) => {
      const refusal = { stream, reason, entryNanos, line };
      this.refusals.push(refusal);
      return refusal;
    };
    const { rules } = this;
    if (rules.rejectOldSamples && entryNanos < now - BigInt(rules.maxAgeMillis) * ms)
      return refuse('too old');
    if (entryNanos > now + BigInt(rules.creationGraceMillis) * ms) return refuse('too new');
    const state = this._streams.get(stream);
    if (state) {
      if (entryNanos === state.lastTs && line === state.lastLine) {
        this.duplicates++;
        return 'duplicate';
      }
      if (rules.unorderedWrites && entryNanos < state.highest - BigInt(rules.windowMillis) * ms)
        return refuse('too far behind');
      if (!rules.unorderedWrites && entryNanos < state.highest) return refuse('out of order');
    }
    const highest = state && state.highest > entryNanos ? state.highest : entryNanos;
    this._streams.set(stream, { highest, lastTs: entryNanos, lastLine: line });
    return undefined;
  }
}
