import { trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit } from '../../src/index.js';
import { tempDir } from '../support/make-trail.js';
import { CANARY, leaksIn } from './canaries.js';

const saved = process.env.OTEL_RESOURCE_ATTRIBUTES;
afterAll(() => {
  if (saved === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
  else process.env.OTEL_RESOURCE_ATTRIBUTES = saved;
});

describe('resource attributes when tooltrail builds the provider', () => {
  it('redacts OTEL_RESOURCE_ATTRIBUTES in exported spans and exported records', async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = `deployment.owner=${encodeURIComponent(CANARY.email)},team.pager=ssn%20${CANARY.ssn}`;
    const spans = new InMemorySpanExporter();
    const logs = new InMemoryLogRecordExporter();
    const audit = setupToolAudit({
      trail: { dir: tempDir() },
      serviceName: 'ward-agent',
      spanExporter: spans,
      logExporter: logs,
      exitHooks: false,
      onError: () => {},
    });
    expect(audit.tracerProvider).toBeDefined();
    await auditTool('lookup', async (id: string) => ({ id }))('P-1');
    trace.getTracer('app').startSpan('db.query').end();
    await audit.forceFlush();
    const spanResources = spans.getFinishedSpans().map((span) => span.resource.attributes);
    const logResources = logs.getFinishedLogRecords().map((record) => record.resource.attributes);
    await audit.shutdown();

    expect(spanResources).toHaveLength(2);
    expect(logResources.length).toBeGreaterThan(0);
    const wire = JSON.stringify([spanResources, logResources]);
    expect(leaksIn(wire)).toEqual([]);
    expect(spanResources[0]?.['deployment.owner']).toBe('[REDACTED:email]');
    expect(spanResources[0]?.['team.pager']).toBe('ssn [REDACTED:ssn]');
    // What identifies the service survives.
    expect(spanResources[0]?.['service.name']).toBe('ward-agent');
    expect(logResources[0]?.['service.name']).toBe('ward-agent');
  });

  it('redacts them in exported records when no span ever reaches the processor', async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = `deployment.owner=${encodeURIComponent(CANARY.email)}`;
    const logs = new InMemoryLogRecordExporter();
    const audit = setupToolAudit({
      trail: { dir: tempDir() },
      serviceName: 'ward-agent',
      logExporter: logs,
      register: false,
      exitHooks: false,
      onError: () => {},
    });
    await auditTool('lookup', async (id: string) => ({ id }))('P-1');
    await audit.forceFlush();
    const resources = logs.getFinishedLogRecords().map((record) => record.resource.attributes);
    await audit.shutdown();
    expect(resources.length).toBeGreaterThan(0);
    expect(leaksIn(JSON.stringify(resources))).toEqual([]);
    expect(resources[0]?.['deployment.owner']).toBe('[REDACTED:email]');
  });
});
