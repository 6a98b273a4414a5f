// The alternatives to tooltrail's audited call, for bench/run.mjs: what a team would hand-roll, and the
// LLM-observability SDKs users pick instead. Each wraps the same tool as the audited call; `before`/`after`
// run around each timed round (truncate the round's file, swap the global tracer provider). Each peer loads only
// its own libraries (`createPeer` imports them), so the bench can time every peer in a process of its own.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const GENESIS = '0'.repeat(64);

/** A hash chain over JSON entries, as a team would write it: each entry names the hash of the one before. */
function handRolledChain(sha256Hex) {
  let seq = 0;
  let prev = GENESIS;
  return (tool, args, result) => {
    const entry = { seq: seq++, ts: Date.now(), tool, args, result, prev };
    const hash = sha256Hex(JSON.stringify(entry));
    prev = hash;
    entry.hash = hash;
    return entry;
  };
}

/** pino with a synchronous destination (write(2) per line before the call returns) and a SHA-256 chain. */
async function pinoChain(dir, name, sha256Hex) {
  const { default: pino } = await import('pino');
  const path = join(dir, `${name}.jsonl`);
  const destination = pino.destination({ dest: path, sync: true, mkdir: true });
  const logger = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  const chain = handRolledChain(sha256Hex);
  return {
    log: (tool, args, result) => logger.info(chain(tool, args, result), 'tool call'),
    truncate: () => ftruncateSync(destination.fd, 0),
    close: () => destination.end(),
  };
}

/** `work(input, result)` after the tool, inside the bench's bare span. */
const inSpan = (tracer, toolFn, work) => (input) =>
  tracer.startActiveSpan('execute_tool lookup', async (span) => {
    try {
      const result = await toolFn(input);
      work(input, result);
      return result;
    } finally {
      span.end();
    }
  });

/** Langfuse's `observe(toolFn, { asType: 'tool' })` on a provider of its own with `spanProcessor`. */
async function langfuseObserve(toolFn, spanProcessor) {
  const { observe, setLangfuseTracerProvider } = await import('@langfuse/tracing');
  const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
  const provider = new BasicTracerProvider({ spanProcessors: [spanProcessor] });
  setLangfuseTracerProvider(provider);
  return { fn: observe(toolFn, { name: 'lookup', asType: 'tool' }), close: () => provider.shutdown() };
}

/** Each peer: its label, a note, and how to build it (`{ fn, before?, after?, close }`). */
const PEERS = {
  span_pino_chain: {
    label: 'span + pino sync + SHA-256 chain',
    note: 'what a team would hand-roll',
    create: async ({ tracer, toolFn, dir, sha256Hex }) => {
      const log = await pinoChain(dir, 'span-pino', sha256Hex);
      return {
        fn: inSpan(tracer, toolFn, (input, result) => log.log('lookup', input, result)),
        before: log.truncate,
        close: async () => log.close(),
      };
    },
  },
  pino_chain: {
    label: 'pino sync + SHA-256 chain (no span)',
    note: 'pino.destination({ sync: true })',
    create: async ({ toolFn, dir, sha256Hex }) => {
      const log = await pinoChain(dir, 'pino', sha256Hex);
      return {
        fn: async (input) => {
          const result = await toolFn(input);
          log.log('lookup', input, result);
          return result;
        },
        before: log.truncate,
        close: async () => log.close(),
      };
    },
  },
  lean_hand_rolled: {
    label: 'span + JSON.stringify + hash chain + writeSync',
    note: 'the leanest hand-rolled audit',
    create: async ({ tracer, toolFn, dir, sha256Hex }) => {
      const fd = openSync(join(dir, 'lean.jsonl'), 'a', 0o600);
      const chain = handRolledChain(sha256Hex);
      const write = (input, result) => {
        const data = Buffer.from(`${JSON.stringify(chain('lookup', input, result))}\n`);
        let offset = 0;
        while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      };
      return {
        fn: inSpan(tracer, toolFn, write),
        before: () => ftruncateSync(fd, 0),
        close: async () => closeSync(fd),
      };
    },
  },
  langfuse: {
    label: 'Langfuse 4 observe({ asType: "tool" })',
    note: 'LangfuseSpanProcessor with a no-op exporter, as Langfuse documents its setup; no durability, no chain',
    create: async ({ toolFn, noopSpanExporter }) => {
      const { LangfuseSpanProcessor } = await import('@langfuse/otel');
      // Langfuse's own processor (environment and propagated attributes at start; masking and media handling at
      // end, then its BatchSpanProcessor): what a Langfuse user runs. Only the network export is replaced.
      return langfuseObserve(toolFn, new LangfuseSpanProcessor({ exporter: noopSpanExporter }));
    },
  },
  langfuse_batch: {
    label: 'Langfuse 4 observe, plain BatchSpanProcessor',
    note: "no-op exporter, without Langfuse's span processor (the vs_langfuse peer until 2026-12-05)",
    create: async ({ toolFn, noopSpanExporter }) => {
      const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
      return langfuseObserve(toolFn, new BatchSpanProcessor(noopSpanExporter));
    },
  },
  openllmetry: {
    label: 'OpenLLMetry withTool',
    note: 'no-op exporter; no durability, no chain',
    create: async ({ api, toolFn, noopSpanExporter }) => {
      const traceloop = await import('@traceloop/node-server-sdk');
      const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
      // OpenLLMetry traces through the global provider; initialize() would register a NodeSDK over the audit's,
      // so its span processor (the one initialize builds) runs in a provider swapped in for its rounds only.
      traceloop.initialize({
        appName: 'bench',
        apiKey: 'bench-no-export',
        tracingEnabled: false,
        traceloopSyncEnabled: false,
        silenceInitializationMessage: true,
      });
      const provider = new BasicTracerProvider({
        spanProcessors: [
          traceloop.createSpanProcessor({ exporter: noopSpanExporter, apiKey: 'bench-no-export' }),
        ],
      });
      let auditProvider;
      const swapProvider = (next) => {
        api.trace.disable();
        api.trace.setGlobalTracerProvider(next);
      };
      return {
        fn: (input) => traceloop.withTool({ name: 'lookup' }, toolFn, input),
        before: () => {
          auditProvider = api.trace.getTracerProvider().getDelegate();
          swapProvider(provider);
        },
        after: () => swapProvider(auditProvider),
        close: () => provider.shutdown(),
      };
    },
  },
};

/** The peers' keys, in the order the bench prints them. */
export const PEER_KEYS = Object.keys(PEERS);

/**
 * The peer `key` as `{ key, label, note, fn, before?, after?, close }`. `tracer` is the bench's bare-span tracer
 * (the BatchSpanProcessor + no-op exporter of the bare row); `api` is the @opentelemetry/api the audited call uses.
 */
export async function createPeer(key, deps) {
  const peer = PEERS[key];
  if (peer === undefined)
    throw new Error(`unknown bench peer ${JSON.stringify(key)}: one of ${PEER_KEYS.join(', ')}`);
  return { key, label: peer.label, note: peer.note, ...(await peer.create(deps)) };
}
