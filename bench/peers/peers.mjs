// The alternatives to tooltrail's audited call, for bench/run.mjs: what a team would hand-roll, and the
// LLM-observability SDKs users pick instead. Each wraps the same tool as the audited call; `before`/`after`
// run around each timed round (truncate the round's file, swap the global tracer provider).
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { observe, setLangfuseTracerProvider } from '@langfuse/tracing';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as traceloop from '@traceloop/node-server-sdk';
import pino from 'pino';

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
function pinoChain(dir, name, sha256Hex) {
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

/**
 * The peers, each `{ key, label, note, fn, before?, after? }`. `tracer` is the bench's bare-span tracer (the
 * BatchSpanProcessor + no-op exporter of the bare row); `api` is the @opentelemetry/api the audited call uses.
 */
export async function createPeers({ api, tracer, toolFn, dir, sha256Hex, noopSpanExporter }) {
  const withSpan = (work) => (input) =>
    tracer.startActiveSpan('execute_tool lookup', async (span) => {
      try {
        const result = await toolFn(input);
        work(input, result);
        return result;
      } finally {
        span.end();
      }
    });

  const spanPino = pinoChain(dir, 'span-pino', sha256Hex);
  const barePino = pinoChain(dir, 'pino', sha256Hex);

  const leanPath = join(dir, 'lean.jsonl');
  const leanFd = openSync(leanPath, 'a', 0o600);
  const leanChain = handRolledChain(sha256Hex);
  const leanWrite = (input, result) => {
    const entry = leanChain('lookup', input, result);
    const data = Buffer.from(`${JSON.stringify(entry)}\n`);
    let offset = 0;
    while (offset < data.length) offset += writeSync(leanFd, data, offset, data.length - offset);
  };

  const langfuseProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(noopSpanExporter)],
  });
  setLangfuseTracerProvider(langfuseProvider);
  const langfuseTool = observe(toolFn, { name: 'lookup', asType: 'tool' });

  // OpenLLMetry traces through the global provider; initialize() would register a NodeSDK over the audit's,
  // so its span processor (the one initialize builds) runs in a provider swapped in for its rounds only.
  traceloop.initialize({
    appName: 'bench',
    apiKey: 'bench-no-export',
    tracingEnabled: false,
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
  });
  const traceloopProvider = new BasicTracerProvider({
    spanProcessors: [
      traceloop.createSpanProcessor({ exporter: noopSpanExporter, apiKey: 'bench-no-export' }),
    ],
  });
  let auditProvider;
  const swapProvider = (provider) => {
    api.trace.disable();
    api.trace.setGlobalTracerProvider(provider);
  };

  return {
    peers: [
      {
        key: 'span_pino_chain',
        label: 'span + pino sync + SHA-256 chain',
        note: 'what a team would hand-roll',
        fn: withSpan((input, result) => spanPino.log('lookup', input, result)),
        before: spanPino.truncate,
      },
      {
        key: 'pino_chain',
        label: 'pino sync + SHA-256 chain (no span)',
        note: 'pino.destination({ sync: true })',
        fn: async (input) => {
          const result = await toolFn(input);
          barePino.log('lookup', input, result);
          return result;
        },
        before: barePino.truncate,
      },
      {
        key: 'lean_hand_rolled',
        label: 'span + JSON.stringify + hash chain + writeSync',
        note: 'the leanest hand-rolled audit',
        fn: withSpan(leanWrite),
        before: () => ftruncateSync(leanFd, 0),
      },
      {
        key: 'langfuse',
        label: 'Langfuse 4 observe({ asType: "tool" })',
        note: 'no-op exporter; no durability, no chain',
        fn: langfuseTool,
      },
      {
        key: 'openllmetry',
        label: 'OpenLLMetry withTool',
        note: 'no-op exporter; no durability, no chain',
        fn: (input) => traceloop.withTool({ name: 'lookup' }, toolFn, input),
        before: () => {
          auditProvider = api.trace.getTracerProvider().getDelegate();
          swapProvider(traceloopProvider);
        },
        after: () => swapProvider(auditProvider),
      },
    ],
    close: async () => {
      spanPino.close();
      barePino.close();
      closeSync(leanFd);
      await langfuseProvider.shutdown();
      await traceloopProvider.shutdown();
    },
  };
}
