import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MeterProvider, metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditTool, setupToolAudit } from '../src/index.js';
import { AUDIT_METRICS, registerAuditMetrics } from '../src/internal/audit-metrics.js';
import { segmentFileName } from '../src/trail/segment-name.js';

type Observe = (result: { observe(instrument: { name: string }, value: number): void }) => void;

/** A MeterProvider that keeps the batch callbacks registered on it and runs them on demand. */
function recordingMeterProvider(): { provider: MeterProvider; collect(): Map<string, number> } {
  const callbacks: Observe[] = [];
  const instrument = (name: string) => ({ name, addCallback() {}, removeCallback() {} });
  const meter = {
    createObservableCounter: instrument,
    createObservableUpDownCounter: instrument,
    addBatchObservableCallback: (callback: Observe) => callbacks.push(callback),
  };
  return {
    provider: { getMeter: () => meter } as unknown as MeterProvider,
    collect() {
      const values = new Map<string, number>();
      for (const callback of callbacks) callback({ observe: (i, value) => values.set(i.name, value) });
      return values;
    },
  };
}

const counts = {
  records: 7,
  lost: 3,
  exported: 4,
  replayed: 0,
  overflowed: 0,
  pendingExport: 0,
  strictRefused: 1,
};

afterEach(() => metrics.disable());

describe('audit metrics and a MeterProvider registered after setup', () => {
  it('registers on a global MeterProvider that appears later (NodeSDK started after setupToolAudit)', async () => {
    const stop = registerAuditMetrics(undefined, () => counts, vi.fn(), 5);
    const late = recordingMeterProvider();
    expect(metrics.setGlobalMeterProvider(late.provider)).toBe(true);
    await vi.waitFor(() => expect(late.collect().get(AUDIT_METRICS.lost)).toBe(3));
    expect(late.collect().get(AUDIT_METRICS.strictRefused)).toBe(1);
    stop();
  });

  it('uses an explicit provider as given and registers once', () => {
    const given = recordingMeterProvider();
    const getMeter = vi.spyOn(given.provider, 'getMeter');
    registerAuditMetrics(given.provider, () => counts, vi.fn(), 5)();
    expect(getMeter).toHaveBeenCalledTimes(1);
    expect(given.collect().get(AUDIT_METRICS.records)).toBe(7);
  });

  it('exposes records lost by setupToolAudit on a provider registered after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tooltrail-metrics-'));
    const audit = setupToolAudit({
      trail: { dir, maxFileBytes: 4_000 },
      register: false,
      exitHooks: false,
      onError: () => undefined,
    });
    const late = recordingMeterProvider();
    metrics.setGlobalMeterProvider(late.provider);
    // The second segment cannot be created (a directory is in its way): records past the first are lost.
    mkdirSync(join(dir, segmentFileName(audit.chainId, 1)));
    const lookup = auditTool('lookup_order', async (args: { i: number }) => args.i);
    for (let i = 0; i < 40; i++) expect(await lookup({ i })).toBe(i);
    const lost = audit.stats().lost;
    expect(lost).toBeGreaterThan(0);
    await vi.waitFor(() => expect(late.collect().get(AUDIT_METRICS.lost)).toBe(lost), { timeout: 5_000 });
    await audit.shutdown();
  });
});
