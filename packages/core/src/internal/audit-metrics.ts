import { type MeterProvider, metrics } from '@opentelemetry/api';
import { VERSION } from '../version.js';

/** The counters behind the audit metrics (a subset of `stats()`). */
export interface AuditCounts {
  records: number;
  lost: number;
  exported: number;
  replayed: number;
  overflowed: number;
  pendingExport: number;
  strictRefused: number;
}

/** Metric names, for dashboards and alerts (`tooltrail_audit_records_lost_total` in Prometheus). */
export const AUDIT_METRICS = {
  records: 'tooltrail.audit.records',
  lost: 'tooltrail.audit.records.lost',
  exported: 'tooltrail.audit.records.exported',
  replayed: 'tooltrail.audit.records.replayed',
  overflowed: 'tooltrail.audit.records.overflowed',
  pendingExport: 'tooltrail.audit.export.pending',
  strictRefused: 'tooltrail.audit.strict.refused',
} as const;

/**
 * Exposes the audit counters as observable OTel metrics (read at collection time: nothing on the hot path).
 * `lost` counts records that never reached the trail: they are gaps for the verifier. Never throws.
 *
 * Without an explicit `provider`, the global MeterProvider is used. The metrics API has no proxy provider (a
 * meter taken before `metrics.setGlobalMeterProvider()` stays a no-op), and the usual NodeSDK setup registers
 * its MeterProvider after `setupToolAudit()` (which must come first to hand over its span processor): so the
 * global provider is re-checked every `watchMillis` (unref'd timer) and the instruments are registered again on
 * the provider that replaced it. Returns a function that stops watching.
 */
export function registerAuditMetrics(
  provider: MeterProvider | undefined,
  read: () => AuditCounts,
  onError: (error: unknown) => void,
  watchMillis = 1000,
): () => void {
  if (provider) {
    registerOn(provider, read, onError);
    return () => undefined;
  }
  let current = metrics.getMeterProvider();
  registerOn(current, read, onError);
  const timer = setInterval(() => {
    const latest = metrics.getMeterProvider();
    if (latest === current) return;
    current = latest;
    registerOn(latest, read, onError);
  }, watchMillis);
  timer.unref();
  return () => clearInterval(timer);
}

function registerOn(
  provider: MeterProvider,
  read: () => AuditCounts,
  onError: (error: unknown) => void,
): void {
  try {
    const meter = provider.getMeter('tooltrail', VERSION);
    const unit = '{record}';
    const counters = {
      records: meter.createObservableCounter(AUDIT_METRICS.records, {
        description: 'Audit records sealed into the chain',
        unit,
      }),
      lost: meter.createObservableCounter(AUDIT_METRICS.lost, {
        description: 'Audit records that could not be written to the local trail (gaps in the chain)',
        unit,
      }),
      exported: meter.createObservableCounter(AUDIT_METRICS.exported, {
        description: 'Audit records of this chain acknowledged by the log exporter',
        unit,
      }),
      replayed: meter.createObservableCounter(AUDIT_METRICS.replayed, {
        description: 'Audit records of earlier chains replayed from the trail and acknowledged',
        unit,
      }),
      overflowed: meter.createObservableCounter(AUDIT_METRICS.overflowed, {
        description: 'Audit records that did not fit the export queue (read back from the trail)',
        unit,
      }),
      strictRefused: meter.createObservableCounter(AUDIT_METRICS.strictRefused, {
        description: 'Strict tool calls refused because their intent could not be made durable',
        unit: '{call}',
      }),
    };
    const pending = meter.createObservableUpDownCounter(AUDIT_METRICS.pendingExport, {
      description: 'Audit records of this chain not yet acknowledged by the log exporter',
      unit,
    });
    meter.addBatchObservableCallback(
      (result) => {
        const counts = read();
        for (const [name, counter] of Object.entries(counters))
          result.observe(counter, counts[name as keyof typeof counters]);
        result.observe(pending, counts.pendingExport);
      },
      [...Object.values(counters), pending],
    );
  } catch (error) {
    onError(error);
  }
}
