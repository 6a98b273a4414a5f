import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCollector, collectorConfig, repoRoot } from './support/collector.js';
import { describeWithTools } from './support/toolchain.js';

type Config = {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  connectors: Record<string, unknown>;
  extensions: Record<string, unknown>;
  service: {
    extensions: string[];
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
  };
};

const config = parse(readFileSync(collectorConfig, 'utf8')) as Config;
const typeOf = (id: string) => id.split('/')[0]!;

function validate(binary: string, path: string, env: Record<string, string> = {}) {
  return spawnSync(binary, ['validate', '--config', path], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

describeWithTools('collector config', ['go'], () => {
  let binary = '';
  beforeAll(() => {
    binary = buildCollector();
  }, 20 * 60_000);

  it('passes otelcol validate with the compose defaults (no env set)', () => {
    const result = validate(binary, collectorConfig);
    expect(result.stderr + result.stdout).not.toMatch(/error/i);
    expect(result.status).toBe(0);
  });

  // Caveat found here: otlp_http squashes its HTTP client settings into the exporter's own keys, so some typos
  // there (e.g. `max_elapsed_tme`) pass validate; loki-outage.test.ts proves max_elapsed_time is live instead.
  it('fails otelcol validate on a wrong key, so the check above means something', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'tooltrail-validate-')), 'broken.yaml');
    writeFileSync(
      broken,
      readFileSync(collectorConfig, 'utf8').replace('num_consumers: 1', 'num_consumerz: 1'),
    );
    const result = validate(binary, broken);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/num_consumerz/);
  });

  it('builds exactly the components the config uses, under their current type names', () => {
    const listed = parse(spawnSync(binary, ['components'], { encoding: 'utf8' }).stdout) as Record<
      string,
      Array<{ name: string }>
    >;
    const built = (kind: string) => new Set((listed[kind] ?? []).map((c) => c.name));
    const used = (section: Record<string, unknown>) => new Set(Object.keys(section).map(typeOf));
    expect(built('receivers')).toEqual(used(config.receivers));
    expect(built('processors')).toEqual(used(config.processors));
    expect(built('exporters')).toEqual(used(config.exporters));
    expect(built('connectors')).toEqual(used(config.connectors));
    expect(built('extensions')).toEqual(used(config.extensions));
    for (const deprecated of ['otlp', 'otlphttp', 'spanmetrics']) {
      expect(Object.keys({ ...config.exporters, ...config.connectors }).map(typeOf)).not.toContain(
        deprecated,
      );
    }
  });
});

it('pins every builder module to the v0.161.0 release (core stable modules at v1.67.0)', () => {
  const manifest = parse(readFileSync(join(repoRoot, 'collector-config', 'builder.yaml'), 'utf8')) as Record<
    string,
    Array<{ gomod: string }>
  >;
  const modules = Object.entries(manifest)
    .filter(([key]) => key !== 'dist')
    .flatMap(([, list]) => list.map((entry) => entry.gomod));
  expect(modules.length).toBeGreaterThan(15);
  for (const module of modules) expect(module, module).toMatch(/ v(0\.161\.0|1\.67\.0)$/);
});

it('keeps the audit pipeline free of processors that could rewrite a hashed body', () => {
  const audit = config.service.pipelines['logs/audit']!;
  expect(audit.processors).toEqual([
    'memory_limiter',
    'filter/audit_only',
    'groupbyattrs/retention',
    'transform/ingest_time',
  ]);
  // Its one transform sets a late record's timestamp (Loki's line time), which no hash covers; nothing else.
  expect(config.processors['transform/ingest_time']).toEqual({
    error_mode: 'ignore',
    log_statements: [
      {
        context: 'log',
        statements: [
          'set(log.time, Now()) where log.time < Now() - Duration("5m") or log.time > Now() + Duration("5m")',
        ],
      },
    ],
  });
  expect(audit.exporters).toEqual(['otlp_http/loki', 'file/archive']);
  const loki = config.exporters['otlp_http/loki'] as {
    sending_queue: { storage: string; enabled: boolean };
    retry_on_failure: { max_elapsed_time: number };
  };
  expect(loki.sending_queue.enabled).toBe(true);
  expect(loki.sending_queue.storage).toBe('file_storage/queue');
  expect(loki.retry_on_failure.max_elapsed_time).toBe(0);
});

it('reads every endpoint from env, defaulting to the compose network', () => {
  const env = (name: string, fallback: string) => `\${env:${name}:-${fallback}}`;
  const raw = parse(readFileSync(collectorConfig, 'utf8')) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  const at = (path: string) =>
    path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], raw);
  expect(at('exporters.otlp_grpc/tempo.endpoint')).toBe(env('TEMPO_OTLP_ENDPOINT', 'tempo:4317'));
  expect(at('exporters.otlp_http/loki.endpoint')).toBe(env('LOKI_OTLP_ENDPOINT', 'http://loki:3100/otlp'));
  expect(at('receivers.otlp.protocols.http.endpoint')).toBe(env('OTLP_HTTP_LISTEN', '0.0.0.0:4318'));
  expect(at('receivers.otlp.protocols.grpc.endpoint')).toBe(env('OTLP_GRPC_LISTEN', '0.0.0.0:4317'));
  expect(at('exporters.prometheus.endpoint')).toBe(env('PROMETHEUS_EXPORTER_LISTEN', '0.0.0.0:8889'));
  expect(at('exporters.file/archive.path')).toBe(
    env('AUDIT_ARCHIVE_PATH', '/var/lib/otelcol/audit/audit.jsonl'),
  );
  expect(at('extensions.file_storage/queue.directory')).toBe(
    env('COLLECTOR_STORAGE_DIR', '/var/lib/otelcol/queue'),
  );
});
