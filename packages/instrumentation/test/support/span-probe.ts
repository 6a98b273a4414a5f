import { createServer, type Server } from 'node:http';
import { trace } from '@opentelemetry/api';

/** What a tool body saw: the active span when it ran, and the span active while its HTTP request was open. */
export interface SpanSighting {
  traceId: string | undefined;
  spanId: string | undefined;
  /** The span active inside the child span the tool opened around its HTTP request: its parent. */
  httpParentSpanId: string | undefined;
}

/**
 * A server on 127.0.0.1 and a probe to call from a tool's body: it notes the active span, then makes a real HTTP
 * request inside a child span (as an HTTP instrumentation would), and notes what that child's parent was.
 */
export async function startSpanProbe(): Promise<{
  probe(label: string): Promise<string>;
  sightings: Map<string, SpanSighting>;
  close(): Promise<void>;
}> {
  const server: Server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const sightings = new Map<string, SpanSighting>();
  const tracer = trace.getTracer('span-probe');
  return {
    sightings,
    async probe(label) {
      const active = trace.getActiveSpan()?.spanContext();
      const body = await tracer.startActiveSpan('GET', async (span) => {
        try {
          const parent = (span as { parentSpanContext?: { spanId?: string }; parentSpanId?: string })
            .parentSpanContext?.spanId;
          sightings.set(label, {
            traceId: active?.traceId,
            spanId: active?.spanId,
            httpParentSpanId: parent ?? (span as { parentSpanId?: string }).parentSpanId ?? undefined,
          });
          return await (await fetch(url)).text();
        } finally {
          span.end();
        }
      });
      return body;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
