import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { setupToolAudit, type ToolAudit } from '../../src/index.js';
import { tempDir } from '../support/make-trail.js';
import { CANARY, leaksIn } from './canaries.js';

/** A processor placed after tooltrail's: copies what it is shown at each step, as an exporter would. */
class Spy implements SpanProcessor {
  seen: string[] = [];
  onStart(span: Span, _context: Context): void {
    this.seen.push(JSON.stringify({ name: span.name, attributes: span.attributes, links: span.links }));
  }
  onEnding(span: Span): void {
    this.seen.push(JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events }));
  }
  onEnd(span: ReadableSpan): void {
    this.seen.push(
      JSON.stringify({
        name: span.name,
        status: span.status,
        attributes: span.attributes,
        events: span.events,
        links: span.links,
        resource: span.resource.attributes,
      }),
    );
  }
  forceFlush = async () => undefined;
  shutdown = async () => undefined;
}

let audit: ToolAudit | undefined;
afterEach(async () => {
  await audit?.shutdown();
  audit = undefined;
});

function userProvider(resourceAttributes: Record<string, string> = {}) {
  audit = setupToolAudit({ trail: { dir: tempDir() }, register: false, exitHooks: false, onError: () => {} });
  const exporter = new InMemorySpanExporter();
  const spy = new Spy();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc', ...resourceAttributes }),
    spanProcessors: [audit.spanProcessor, spy, new SimpleSpanProcessor(exporter)],
  });
  return { tracer: provider.getTracer('app'), exporter, spy, provider };
}

const trailText = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('');

const exported = (exporter: InMemorySpanExporter) =>
  JSON.stringify(
    exporter.getFinishedSpans().map((span) => ({
      name: span.name,
      status: span.status,
      attributes: span.attributes,
      events: span.events,
      links: span.links,
      resource: span.resource.attributes,
    })),
  );

describe('AuditSpanProcessor: every string of a non-tool span', () => {
  it('redacts the span name at start and after updateName()', () => {
    const { tracer, exporter, spy } = userProvider();
    const span = tracer.startSpan(`GET /users/${CANARY.email}`);
    expect(span.isRecording()).toBe(true);
    span.updateName(`lookup ${CANARY.ssn} for ${CANARY.email}`);
    span.end();
    expect(leaksIn(spy.seen.join('\n'))).toEqual([]);
    expect(leaksIn(exported(exporter))).toEqual([]);
    expect(exporter.getFinishedSpans()[0]?.name).toBe('lookup [REDACTED:ssn] for [REDACTED:email]');
  });

  it('redacts attribute keys that carry personal data', () => {
    const { tracer, exporter, spy } = userProvider();
    const span = tracer.startSpan('op', { attributes: { [`user/${CANARY.email}`]: 'admin' } });
    span.setAttribute(`seen ${CANARY.ssn}`, true);
    span.end();
    expect(leaksIn(spy.seen.join('\n'))).toEqual([]);
    const attributes = exporter.getFinishedSpans()[0]?.attributes ?? {};
    // The value stays under the redacted key (a later pass may judge that key by its mask: over-masking, no leak).
    expect(Object.keys(attributes).sort()).toEqual(['seen [REDACTED:ssn]', 'user/[REDACTED:email]']);
  });

  it('redacts event names and event attributes (keys and values)', () => {
    const { tracer, exporter, spy } = userProvider();
    const span = tracer.startSpan('op');
    span.addEvent(`mailed ${CANARY.email}`, { [`to.${CANARY.email}`]: `card ${CANARY.card}` });
    span.recordException(new Error(`no record for ${CANARY.ssn}`));
    span.end();
    expect(leaksIn(spy.seen.join('\n'))).toEqual([]);
    expect(leaksIn(exported(exporter))).toEqual([]);
    const events = exporter.getFinishedSpans()[0]?.events ?? [];
    expect(events.map((event) => event.name)).toEqual(['mailed [REDACTED:email]', 'exception']);
  });

  it('redacts link attributes (keys and values) and the status message', () => {
    const { tracer, exporter, spy } = userProvider();
    const other = tracer.startSpan('other');
    other.end();
    const span = tracer.startSpan('op', {
      links: [{ context: other.spanContext(), attributes: { [`from.${CANARY.email}`]: CANARY.bearer } }],
    });
    span.addLink({ context: other.spanContext(), attributes: { reason: `ssn ${CANARY.ssn}` } });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `denied for ${CANARY.email}` });
    span.end();
    expect(leaksIn(spy.seen.join('\n'))).toEqual([]);
    expect(leaksIn(exported(exporter))).toEqual([]);
    expect(exporter.getFinishedSpans()[1]?.status.message).toBe('denied for [REDACTED:email]');
  });

  it('gives each span of a user provider a redacted copy of its resource before any exporter reads it', () => {
    const { tracer, exporter, spy } = userProvider({ 'deployment.owner': CANARY.email });
    tracer.startSpan('op').end();
    expect(leaksIn(spy.seen.join('\n'))).toEqual([]);
    const resource = exporter.getFinishedSpans()[0]?.resource.attributes ?? {};
    expect(resource['deployment.owner']).toBe('[REDACTED:email]');
    expect(resource['service.name']).toBe('svc');
  });

  it('reads url.query (written without its ?) as a query string: + is a space', () => {
    const { tracer, exporter } = userProvider();
    const query = `q=auth%3A+${CANARY.bearer.replace(' ', '+')}&iban=x&note=GB33+BUKB+2020+1555+5555+55`;
    tracer.startSpan('GET /search', { attributes: { 'url.query': query } }).end();
    const redacted = String(exporter.getFinishedSpans()[0]?.attributes['url.query']);
    expect(redacted).not.toContain('canaryTOKEN');
    expect(redacted).not.toContain('5555');
    expect(redacted.startsWith('q=')).toBe(true);
  });

  it("redacts again at end what a later processor's onEnding added to the span", () => {
    audit = setupToolAudit({
      trail: { dir: tempDir() },
      register: false,
      exitHooks: false,
      onError: () => {},
    });
    const exporter = new InMemorySpanExporter();
    const adder: SpanProcessor = {
      onStart: () => {},
      onEnding: (span: Span) => {
        span.setAttribute('enrich.owner', CANARY.email);
        span.addEvent(`late ${CANARY.ssn}`);
      },
      onEnd: () => {},
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const provider = new BasicTracerProvider({
      spanProcessors: [audit.spanProcessor, adder, new SimpleSpanProcessor(exporter)],
    });
    provider.getTracer('app').startSpan('op').end();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(leaksIn(exported(exporter))).toEqual([]);
    expect(exporter.getFinishedSpans()[0]?.attributes['enrich.owner']).toBe('[REDACTED:email]');
  });

  it('records an execute_tool span of another instrumentation once, though redaction runs at ending and end', async () => {
    const { tracer, exporter } = userProvider();
    const span = tracer.startSpan('execute_tool lookup', {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'lookup',
        'gen_ai.tool.call.arguments': JSON.stringify({ email: CANARY.email }),
      },
    });
    span.end();
    await audit?.forceFlush();
    const lines = trailText(audit?.trailDir ?? '').split('\n');
    expect(lines.filter((line) => line.includes('"type":"tool_call"'))).toHaveLength(1);
    expect(leaksIn(exported(exporter))).toEqual([]);
  });
});
