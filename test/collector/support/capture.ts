import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Config for a second collector that stands in for Tempo (OTLP gRPC) or Loki (OTLP HTTP under /otlp): it
 * records everything it receives, unchanged, as OTLP JSON lines. Tempo and Loki are AGPL, Docker-only here.
 */
export function writeCaptureConfig(options: {
  path: string;
  protocol: 'grpc' | 'http';
  listen: string;
  health: string;
  output: string;
}): string {
  const protocol =
    options.protocol === 'grpc'
      ? `      grpc:\n        endpoint: ${options.listen}\n`
      : `      http:\n        endpoint: ${options.listen}\n        logs_url_path: /otlp/v1/logs\n        traces_url_path: /otlp/v1/traces\n`;
  const yaml = `extensions:
  health_check:
    endpoint: ${options.health}
receivers:
  otlp:
    protocols:
${protocol}exporters:
  file/capture:
    path: ${options.output}
    format: json
    flush_interval: 200ms
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file/capture]
    logs:
      receivers: [otlp]
      exporters: [file/capture]
`;
  writeFileSync(options.path, yaml);
  return options.path;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
type KeyValue = { key: string; value: AnyValue };
type Attributes = Record<string, string | number | boolean | undefined>;

export interface CapturedLog {
  resource: Attributes;
  scope: string;
  body: string | undefined;
  attributes: Attributes;
  severityNumber: number | undefined;
  eventName: string | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
}

export interface CapturedSpan {
  resource: Attributes;
  name: string;
  kind: number | undefined;
  attributes: Attributes;
  statusCode: number | undefined;
  events: string[];
}

function value(v: AnyValue | undefined): string | number | boolean | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  return v.doubleValue;
}

function attributes(list: KeyValue[] | undefined): Attributes {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

/** Every line of a file exporter's output, rotated backups included (they share the base name's stem). */
export function readJsonLines(path: string): unknown[] {
  const directory = dirname(path);
  if (!existsSync(directory)) return [];
  const stem = basename(path).replace(/\.[^.]+$/, '');
  // The first file, then its rotated or restarted siblings in name order.
  const files = readdirSync(directory)
    .filter((file) => file.startsWith(stem))
    .sort((a, b) => Number(a !== basename(path)) - Number(b !== basename(path)) || a.localeCompare(b));
  return files.flatMap((file) =>
    readFileSync(join(directory, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown),
  );
}

interface LogsLine {
  resourceLogs?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeLogs?: Array<{ scope?: { name?: string }; logRecords?: Array<Record<string, unknown>> }>;
  }>;
}
interface SpansLine {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
  }>;
}

export function readLogs(path: string): CapturedLog[] {
  const out: CapturedLog[] = [];
  for (const line of readJsonLines(path) as LogsLine[]) {
    for (const rl of line.resourceLogs ?? []) {
      const resource = attributes(rl.resource?.attributes);
      for (const sl of rl.scopeLogs ?? []) {
        for (const record of sl.logRecords ?? []) {
          const body = value(record.body as AnyValue | undefined);
          out.push({
            resource,
            scope: sl.scope?.name ?? '',
            body: typeof body === 'string' ? body : undefined,
            attributes: attributes(record.attributes as KeyValue[] | undefined),
            severityNumber: record.severityNumber as number | undefined,
            eventName: record.eventName as string | undefined,
            traceId: record.traceId as string | undefined,
            spanId: record.spanId as string | undefined,
          });
        }
      }
    }
  }
  return out;
}

export function readSpans(path: string): CapturedSpan[] {
  const out: CapturedSpan[] = [];
  for (const line of readJsonLines(path) as SpansLine[]) {
    for (const rs of line.resourceSpans ?? []) {
      const resource = attributes(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          out.push({
            resource,
            name: span.name as string,
            kind: span.kind as number | undefined,
            attributes: attributes(span.attributes as KeyValue[] | undefined),
            statusCode: (span.status as { code?: number } | undefined)?.code,
            events: ((span.events as Array<{ name: string }> | undefined) ?? []).map((event) => event.name),
          });
        }
      }
    }
  }
  return out;
}

/** The audit records (bodies of `tooltrail.audit` log records), in arrival order. */
export function auditBodies(logs: CapturedLog[]): string[] {
  return logs
    .filter((log) => log.scope === 'tooltrail.audit' && log.body !== undefined)
    .map((log) => log.body!);
}
