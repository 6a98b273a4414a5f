// The two sides of every call comparison: a plain OTel span and auditTool with the full pipeline.
import { noopLogExporter, noopSpanExporter } from './fixtures.mjs';
import { load } from './load.mjs';

/**
 * `fn` in a plain OTel span (BasicTracerProvider + BatchSpanProcessor, no-op exporter), and `fn` through
 * auditTool with the full pipeline writing its trail to `dir`.
 */
export async function bareAndAudited(fn, dir) {
  const core = await import('@tooltrail/core');
  const { BasicTracerProvider, BatchSpanProcessor } = await load('@opentelemetry/sdk-trace-base');
  // register: true installs the global provider and the AsyncLocalStorage context manager, which the bare
  // span below uses too (startActiveSpan → context.with), so both paths share the context machinery.
  const audit = core.setupToolAudit({
    exitHooks: false,
    trail: { dir },
    spanExporter: noopSpanExporter,
    logExporter: noopLogExporter,
    onError: () => {},
  });
  const bareProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(noopSpanExporter)],
  });
  const bareTracer = bareProvider.getTracer('bench');
  const inSpan = (tool) => (input) =>
    bareTracer.startActiveSpan('execute_tool lookup', async (span) => {
      try {
        return await tool(input);
      } finally {
        span.end();
      }
    });
  return {
    bare: inSpan(fn),
    audited: core.auditTool('lookup', fn),
    /** Another tool under the same two setups. */
    pair: (tool) => ({ bare: inSpan(tool), audited: core.auditTool('lookup', tool) }),
    bareTracer,
    close: async () => {
      await audit.shutdown();
      await bareProvider.shutdown();
    },
  };
}
