/** A span of an OTLP/HTTP JSON trace export, as far as the tests read it. */
export interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

/** OTLP `SpanKind` numbers. */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;

/** Every span of the captured OTLP/HTTP JSON trace request bodies. */
export function spansOf(bodies: Buffer[] | undefined): OtlpSpan[] {
  return (bodies ?? []).flatMap((body) => {
    const parsed = JSON.parse(body.toString('utf8')) as {
      resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
    };
    return (parsed.resourceSpans ?? []).flatMap((resource) =>
      (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []),
    );
  });
}

/** A string attribute of a span, or undefined. */
export function spanAttribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes?.find((entry) => entry.key === key)?.value.stringValue;
}
