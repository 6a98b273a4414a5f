import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '@opentelemetry/api';
import { type Span as ApiSpan, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit, type ToolAudit, withAuditContext } from '../src/index.js';
import { tempDir } from './support/make-trail.js';
import { type OtlpCapture, startOtlpCapture } from './support/otlp-capture.js';

const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MC4CAQAwBQYDK2VwBCIEIGxeakeyMaterialThatMustNeverLeakAnywhere0000',
  '-----END PRIVATE KEY-----',
].join('\n');

/** Every detector's kind, plus field-name rules: none of these may leave the process. */
const CANARIES = {
  ssn: '123-45-6789',
  card: '4111 1111 1111 1111',
  cardDigits: '4111111111111111',
  email: 'jane.roe@example.org',
  phone: '(555) 014-2233',
  phoneIntl: '+44 20 7946 0958',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  bearer: 'Bearer abcdef1234567890XYZtoken',
  cloudKey: 'AKIAIOSFODNN7EXAMPLE',
  pemBody: 'MC4CAQAwBQYDK2VwBCIEIGxeakeyMaterialThatMustNeverLeakAnywhere0000',
  iban: 'GB82 WEST 1234 5698 7654 32',
  ibanCompact: 'DE89370400440532013000',
  password: 'hunter2-correct-horse',
  patientName: 'Jane Roe',
  dateOfBirth: '1984-03-12',
  address: '12 Elm Street, Springfield',
  apiKey: 'plain-api-key-value-0042',
  cookie: 'session=s3cr3t-cookie-value',
};

const freeText = (depth: string) =>
  `${depth}: ssn ${CANARIES.ssn}, card ${CANARIES.card}, mail ${CANARIES.email}, call ${CANARIES.phone} or ${CANARIES.phoneIntl}, ` +
  `jwt ${CANARIES.jwt}, auth ${CANARIES.bearer}, aws ${CANARIES.cloudKey}, iban ${CANARIES.iban} / ${CANARIES.ibanCompact}, key ${PEM}`;

const payload = () => ({
  patient_name: CANARIES.patientName,
  dateOfBirth: CANARIES.dateOfBirth,
  'API-KEY': CANARIES.apiKey,
  note: freeText('top'),
  nested: {
    Address: CANARIES.address,
    deeper: {
      list: [{ password: CANARIES.password }, freeText('in array'), { card_number: CANARIES.cardDigits }],
    },
    headers: new Map<string, string>([
      ['Authorization', CANARIES.bearer],
      ['Cookie', CANARIES.cookie],
    ]),
  },
});

/** A second processor on the same provider: keeps copies of what it is shown. */
class SpyProcessor implements SpanProcessor {
  seen: string[] = [];
  onStart(span: Span, _context: Context): void {
    this.seen.push(JSON.stringify(span.attributes));
  }
  onEnd(span: ReadableSpan): void {
    this.seen.push(JSON.stringify({ a: span.attributes, e: span.events, s: span.status, n: span.name }));
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

describe('no PII leaves the process', () => {
  let capture: OtlpCapture;
  let audit: ToolAudit;
  let dir: string;
  const spy = new SpyProcessor();

  beforeAll(async () => {
    capture = await startOtlpCapture();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = capture.url;
    dir = tempDir();
    audit = setupToolAudit({ trail: { dir }, register: false, exitHooks: false });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [audit.spanProcessor, spy] }));

    const readChart = auditTool('access_patient_record', async (_args: unknown) => ({
      patient_id: 'P-1',
      ...payload(),
    }));
    const failing = auditTool('update_treatment', (_args: unknown) => {
      throw new Error(`cannot update: ${freeText('error')}`);
    });
    await withAuditContext({ userId: 'dr_chen', conversationId: 'conv_leak', turn: 1 }, async () => {
      await readChart(payload());
      expect(() => failing(payload())).toThrow(/cannot update/);
      // Another library's span (not a tool call) carrying PII in attributes, an event and its status.
      trace.getTracer('some-http-client').startActiveSpan('GET /patients', (span: ApiSpan) => {
        span.setAttribute('http.request.header.authorization', CANARIES.bearer);
        span.setAttribute('url.query', `email=${CANARIES.email}&ssn=${CANARIES.ssn}`);
        span.addEvent('retry', { reason: freeText('event') });
        span.setStatus({ code: 2, message: freeText('status') });
        span.end();
      });
    });
    await audit.shutdown();
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  });

  afterAll(async () => {
    await capture?.close();
  });

  const leaked = (haystack: string | Buffer) =>
    Object.entries(CANARIES).filter(([, value]) => haystack.includes(value));

  it('exports traces and audit logs over OTLP/HTTP protobuf', () => {
    expect(capture.requests.map((r) => [r.path, r.contentType])).toContainEqual([
      '/v1/traces',
      'application/x-protobuf',
    ]);
    expect(capture.requests.map((r) => r.path)).toContain('/v1/logs');
    // The exported bytes carry the redacted forms.
    expect(capture.bytes('/v1/logs').includes('[REDACTED:ssn]')).toBe(true);
    expect(capture.bytes('/v1/traces').includes('[REDACTED:bearer]')).toBe(true);
  });

  it('sends none of the values in the raw OTLP request bytes', () => {
    expect(leaked(capture.bytes())).toEqual([]);
  });

  it('stores none of the values in the local trail', () => {
    const files = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
    const text = files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
    expect(text).toContain('"tool":"update_treatment"');
    expect(leaked(text)).toEqual([]);
  });

  it('shows a second processor on the provider only redacted values', () => {
    expect(spy.seen.length).toBeGreaterThanOrEqual(6);
    expect(leaked(spy.seen.join('\n'))).toEqual([]);
  });
});
