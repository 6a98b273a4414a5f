import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit, type ToolAudit, verifyTrail, withAuditContext } from '../src/index.js';
import { tempDir } from './support/make-trail.js';
import { type OtlpCapture, startOtlpCapture } from './support/otlp-capture.js';

describe('setupToolAudit standalone, configured by the standard OTel env vars', () => {
  let capture: OtlpCapture;
  let audit: ToolAudit;
  let dir: string;

  beforeAll(async () => {
    capture = await startOtlpCapture();
    dir = join(tempDir(), 'nested', 'trail');
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'billing-agent',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,team=payments',
      TOOLTRAIL_DIR: dir,
    });
    audit = setupToolAudit({ exitHooks: false, onError: () => undefined });
    const charge = auditTool('charge_payment', async (args: { amount: number }) => ({
      payment_id: 'PAY-1',
      ...args,
    }));
    await withAuditContext({ userId: 'billing_kim', conversationId: 'conv_b' }, () => charge({ amount: 10 }));
    await audit.shutdown();
    await audit.shutdown();
  });

  afterAll(async () => {
    await capture.close();
    for (const name of [
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_SERVICE_NAME',
      'OTEL_RESOURCE_ATTRIBUTES',
      'TOOLTRAIL_DIR',
    ]) {
      delete process.env[name];
    }
  });

  it('registers a global tracer provider and writes the trail to TOOLTRAIL_DIR', async () => {
    expect(audit.tracerProvider).toBeDefined();
    expect(audit.trailDir).toBe(dir);
    const report = await verifyTrail(dir, { publicKeys: [audit.publicKey] });
    // The genesis checkpoint, the call, the final checkpoint.
    expect(report).toMatchObject({ ok: true, verdict: 'intact', records: 3, checkpoints: 2 });
    expect(report.chains[0]).toMatchObject({ firstSeq: 0, lastSeq: 2, final: true, unprotected: 0 });
  });

  it('creates the trail directory 0700 and every file 0600 (keys included)', () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys', 'signing-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('exports over OTLP/HTTP JSON with the service name and resource attributes from env', () => {
    const logs = capture.requests.filter((request) => request.path === '/v1/logs');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs[0]?.contentType).toContain('application/json');
    const body = JSON.parse(Buffer.concat(logs.map((l) => l.body)).toString()) as {
      resourceLogs: Array<{
        resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
        scopeLogs: Array<{
          scope: { name: string };
          logRecords: Array<{ body: { stringValue: string }; severityText: string; traceId: string }>;
        }>;
      }>;
    };
    const resource = Object.fromEntries(
      body.resourceLogs[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]),
    );
    expect(resource).toMatchObject({
      'service.name': 'billing-agent',
      'deployment.environment': 'test',
      team: 'payments',
    });
    const scope = body.resourceLogs[0]!.scopeLogs[0]!;
    expect(scope.scope.name).toBe('tooltrail.audit');
    const exported = scope.logRecords.map((record) => JSON.parse(record.body.stringValue));
    // The chain's signed genesis checkpoint is exported first, then the call.
    expect(exported[0]).toMatchObject({ type: 'checkpoint', seq: 0, genesis: true, final: false });
    const call = scope.logRecords.findIndex((_, i) => exported[i].type === 'tool_call');
    expect(exported[call]).toMatchObject({
      type: 'tool_call',
      seq: 1,
      tool: 'charge_payment',
      retention: 'financial',
      user: 'billing_kim',
    });
    expect(scope.logRecords[call]?.severityText).toBe('INFO');
    expect(capture.requests.filter((request) => request.path === '/v1/traces').length).toBeGreaterThan(0);
  });

  it('is safe to shut down twice and stops auditing afterwards', async () => {
    await audit.shutdown();
    const late = auditTool('late', () => 1);
    expect(late()).toBe(1);
    expect(trace.getTracerProvider()).toBeDefined();
  });
});

describe('setupToolAudit validation', () => {
  it('throws at construction on settings that would break the audit', () => {
    const dir = tempDir();
    const base = { trail: { dir }, register: false, exitHooks: false } as const;
    expect(() => setupToolAudit({ ...base, signingKey: { privateKey: 'not a key' } })).toThrow(
      /signing key is not a readable/,
    );
    expect(() => setupToolAudit({ ...base, retention: { tools: { refund: 'forever' } } })).toThrow(
      /unknown class "forever"/,
    );
    expect(() => setupToolAudit({ ...base, redaction: { keys: [{ key: '' }] } })).toThrow(
      /redaction rule #0/,
    );
  });
});
