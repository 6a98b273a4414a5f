import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type SetupToolAuditOptions, setupToolAudit, type ToolAudit } from '../../src/index.js';
import { tempDir } from './make-trail.js';

/** Forwards to the processor of the audit set up by the current test (globals register once per process). */
class CurrentAuditProcessor implements SpanProcessor {
  current: SpanProcessor | undefined;
  onStart(span: Span, parent: Context): void {
    this.current?.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    this.current?.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await this.current?.forceFlush();
  }
  async shutdown(): Promise<void> {}
}

const forward = new CurrentAuditProcessor();
let registered = false;

function registerOnce(): void {
  if (registered) return;
  registered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [forward] }));
}

export interface Harness {
  audit: ToolAudit;
  dir: string;
  /** Spans as exported after the audit processor (redacted). */
  spans: InMemorySpanExporter;
  /** Parsed records of the trail so far. */
  records(): Array<Record<string, unknown>>;
  toolCalls(): Array<Record<string, unknown>>;
}

/** Sets up an audit on a fresh trail with an in-memory span exporter behind the audit processor. */
export function startAudit(options: SetupToolAuditOptions = {}): Harness {
  registerOnce();
  const dir = options.trail?.dir ?? tempDir();
  const spans = new InMemorySpanExporter();
  const audit = setupToolAudit({
    trail: { dir },
    register: false,
    exitHooks: false,
    spanProcessors: [new SimpleSpanProcessor(spans)],
    signingKey: undefined,
    onError: () => undefined,
    ...options,
  } as SetupToolAuditOptions & { exitHooks: boolean });
  forward.current = audit.spanProcessor;
  const records = () =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .sort()
      .flatMap((name) => readFileSync(join(dir, name), 'utf8').trimEnd().split('\n'))
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    audit,
    dir,
    spans,
    records,
    toolCalls: () => records().filter((record) => record.type === 'tool_call'),
  };
}
