import { type Attributes, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { setupToolAudit } from '../../src/index.js';
import { CANARIES, type Canary, CORPUS_VERSION, leaks } from '../pii/corpus-v1.js';
import { tempDir } from '../support/make-trail.js';

const textual = CANARIES.filter(
  (canary): canary is Canary & { input: string } => typeof canary.input === 'string',
);
const structured = CANARIES.filter((canary) => typeof canary.input !== 'string');

/** Primitive attribute values of a structured canary (nested values as JSON text, as instrumentations do). */
function asAttributes(input: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(input)) {
    out[key] = typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value);
  }
  return out;
}

const audit = setupToolAudit({
  trail: { dir: tempDir() },
  register: false,
  exitHooks: false,
  onError: () => {},
});
afterAll(() => audit.shutdown());

const exporter = new InMemorySpanExporter();
const resourceAttributes: Attributes = { 'service.name': 'corpus' };
for (const [i, canary] of textual.entries()) resourceAttributes[`canary.${i}`] = canary.input;
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes(resourceAttributes),
  spanProcessors: [audit.spanProcessor, new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('corpus');

/** Each exported span as text, and the resources they carry (one per provider) once. */
const exported = () => {
  const spans = exporter.getFinishedSpans();
  const resources = new Set(spans.map((span) => span.resource));
  return [
    ...spans.map((span) =>
      JSON.stringify({
        name: span.name,
        status: span.status,
        attributes: span.attributes,
        events: span.events,
        links: span.links,
      }),
    ),
    ...[...resources].map((resource) => JSON.stringify(resource.attributes)),
  ];
};

describe(`PII corpus v${CORPUS_VERSION} through every string of a span`, () => {
  it('is the whole corpus', () => {
    expect(textual.length).toBeGreaterThanOrEqual(300);
    expect(textual.length + structured.length).toBe(CANARIES.length);
  });

  it('leaks no canary through span names (at start and renamed), attribute keys, events, links, status, resource', () => {
    exporter.reset();
    const other = tracer.startSpan('other');
    other.end();
    for (const canary of textual) {
      const text = canary.input;
      const span = tracer.startSpan(text, {
        attributes: { [`note ${text}`]: 1 },
        links: [{ context: other.spanContext(), attributes: { [`why ${text}`]: text } }],
      });
      span.updateName(`renamed ${text}`);
      span.addEvent(text, { [`about ${text}`]: text });
      span.setStatus({ code: SpanStatusCode.ERROR, message: text });
      span.end();
    }
    for (const canary of structured) {
      const attributes = asAttributes(canary.input as Record<string, unknown>);
      const span = tracer.startSpan('structured', { attributes });
      span.addEvent('event', attributes);
      span.end();
    }
    const spans = exported();
    expect(spans).toHaveLength(1 + textual.length + structured.length + 1);
    // One leak check over all spans (the check reads several decodings of the text), then the spans that leak.
    const leaked = leaks(spans.join('\n'));
    const where = leaked.map((canary) => {
      const span = spans.find((text) => leaks(text, [canary]).length > 0) ?? '';
      return `${canary.id}: ${span.slice(0, 400)}`;
    });
    expect(where).toEqual([]);
  });
});
