import { OTLPLogExporter as OTLPLogExporterJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ErrorHandler } from '../internal/error-handler.js';

type Signal = 'TRACES' | 'LOGS';

/** Whether the standard OTel env vars ask for OTLP export of this signal. */
export function otlpRequested(signal: Signal): boolean {
  return Boolean(
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`],
  );
}

/** `http/protobuf` (default) or `http/json`, from the per-signal or general env var. */
function protocol(signal: Signal, errors: ErrorHandler): 'http/protobuf' | 'http/json' {
  const value = (
    process.env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ||
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    ''
  )
    .trim()
    .toLowerCase();
  if (value === '' || value === 'http/protobuf') return 'http/protobuf';
  if (value === 'http/json') return 'http/json';
  errors.report(
    'otlp_protocol',
    `OTLP protocol ${JSON.stringify(value)} is not supported here; using http/protobuf`,
  );
  return 'http/protobuf';
}

/** OTLP/HTTP span exporter configured from env (endpoint, headers, timeout are read by the exporter). */
export function createTraceExporter(errors: ErrorHandler): SpanExporter {
  return protocol('TRACES', errors) === 'http/json'
    ? new OTLPTraceExporterJson()
    : new OTLPTraceExporterProto();
}

/** OTLP/HTTP log exporter configured from env. */
export function createLogExporter(errors: ErrorHandler): LogRecordExporter {
  return protocol('LOGS', errors) === 'http/json' ? new OTLPLogExporterJson() : new OTLPLogExporterProto();
}
