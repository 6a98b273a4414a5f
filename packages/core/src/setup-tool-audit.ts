import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  defaultResource,
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resolvePseudonymKey, resolveSigningKey } from './config/keys-from-env.js';
import { createLogExporter, createTraceExporter, otlpRequested } from './config/otlp-exporters.js';
import { RetentionPolicy } from './config/retention.js';
import {
  envFlag,
  fsyncPolicy,
  positive,
  subjectKeysFromEnv,
  subjectPseudonyms,
} from './config/setup-options.js';
import { registerAuditMetrics } from './internal/audit-metrics.js';
import { ErrorHandler } from './internal/error-handler.js';
import { installExitHooks } from './internal/exit-hooks.js';
import { ensurePrivateDir, UnsafePathError } from './keys/strict-modes.js';
import { AuditPipeline } from './pipeline/audit-pipeline.js';
import { RecordFields } from './pipeline/record-fields.js';
import { AuditSpanProcessor } from './processor/audit-span-processor.js';
import { redactedResource } from './processor/redact-resource.js';
import { ResultSummarizer } from './record/result-summary.js';
import { Redactor } from './redaction/redactor.js';
import { LogShipper } from './shipping/log-shipper.js';
import { LocalTrail } from './sinks/local-trail.js';
import { IntentWriter } from './strict/intent-writer.js';
import { StrictGate } from './strict/strict-gate.js';
import { closeAuditor, openAuditor } from './tool/active-auditor.js';
import { AuditedSpans } from './tool/audited-spans.js';
import { ToolRunner } from './tool/tool-runner.js';
import type { SetupToolAuditOptions } from './types.js';
import { VERSION } from './version.js';

/** What `setupToolAudit()` returns. */
export interface ToolAudit {
  /** Add first to your own TracerProvider/NodeSDK `spanProcessors` when `register` is false. */
  spanProcessor: SpanProcessor;
  /** The provider tooltrail registered, when it registered one. */
  tracerProvider: BasicTracerProvider | undefined;
  chainId: string;
  trailDir: string;
  /** Key id and raw base64 public key that sign this chain's checkpoints (pin them in the verifier). */
  signingKeyId: string;
  publicKey: string;
  /** Signs a checkpoint now (one is also written every N records / T ms and at shutdown). */
  checkpoint(): void;
  stats(): AuditStats;
  /** Syncs the trail and exports what is queued. Safe to call any number of times. */
  forceFlush(): Promise<void>;
  /** Final checkpoint, flush, close. Safe to call twice. */
  shutdown(): Promise<void>;
}

export interface AuditStats {
  records: number;
  /** Records that could not be written to the trail (they appear as gaps to the verifier). */
  lost: number;
  /** Records of this chain acknowledged by the log exporter. */
  exported: number;
  /** Records of this chain not yet acknowledged (in memory or waiting in the trail). */
  pendingExport: number;
  /** Records of earlier chains (crashed or restarted processes) replayed from the trail and acknowledged. */
  replayed: number;
  /** Records that did not fit the export queue; read back from the trail, not lost. */
  overflowed: number;
  /** Strict calls refused (not executed) because their intent could not be made durable. */
  strictRefused: number;
  /** Internal failures by kind. */
  errors: Record<string, number>;
}

/**
 * Sets up tool auditing: redaction, hash chain, signed checkpoints, the local trail, and OTLP export when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Registers a TracerProvider (audit processor first) and an
 * AsyncLocalStorage context manager when none is registered, unless `register: false`.
 */
export function setupToolAudit(options: SetupToolAuditOptions & { exitHooks?: boolean } = {}): ToolAudit {
  const errors = new ErrorHandler(options.onError);
  const trailDir = resolve(options.trail?.dir ?? process.env.TOOLTRAIL_DIR ?? '.tooltrail');
  const redactor = new Redactor({
    ...options.redaction,
    pseudonymKey: resolvePseudonymKey(options.pseudonymKey),
  });
  // Before the first report: a failure's message may quote a path or a value (a trail directory named after a user).
  errors.redactWith((text) => redactor.redactText(text));
  prepareTrailDir(trailDir, errors);
  const signingKey = resolveSigningKey(options.signingKey, trailDir, errors);
  const retention = new RetentionPolicy(options.retention);
  // Resource attributes leave with every span and record (`OTEL_RESOURCE_ATTRIBUTES` may name a person).
  const resource = redactedResource(redactor, buildResource(options.serviceName));
  const chainId = newChainId();
  const trail = new LocalTrail({
    dir: trailDir,
    chainId,
    fsync: fsyncPolicy(options.trail?.fsync, errors),
    fsyncIntervalMillis: positive(
      options.trail?.fsyncIntervalMillis,
      'TOOLTRAIL_FSYNC_INTERVAL_MS',
      1000,
      errors,
    ),
    maxFileBytes: positive(options.trail?.maxFileBytes, 'TOOLTRAIL_MAX_FILE_BYTES', 64 * 1024 * 1024, errors),
    errors,
  });
  const logExporter = options.logExporter ?? (otlpRequested('LOGS') ? createLogExporter(errors) : undefined);
  const shipper = logExporter
    ? new LogShipper({
        exporter: logExporter,
        resource,
        errors,
        maxQueue: options.logExport?.maxQueue,
        maxBatch: options.logExport?.maxBatch,
        retryMillis: options.logExport?.retryMillis,
        trail: { dir: trailDir, chainId },
        replay: options.logExport?.replay,
      })
    : undefined;
  const fields = new RecordFields({
    redactor,
    summarizer: new ResultSummarizer(redactor, options.resultSummaryKeys),
    retention,
    errors,
    subjectKeys: options.subjectKeys ?? subjectKeysFromEnv(process.env.TOOLTRAIL_SUBJECT_KEYS),
    subjectPseudonyms: subjectPseudonyms(options.subjectPseudonyms, redactor),
  });
  const pipeline = new AuditPipeline({
    chainId,
    fields,
    trail,
    shipper,
    signingKey,
    checkpointEveryRecords: positive(
      options.checkpoints?.everyRecords,
      'TOOLTRAIL_CHECKPOINT_EVERY',
      1000,
      errors,
    ),
    checkpointEveryMillis: positive(
      options.checkpoints?.everyMillis,
      'TOOLTRAIL_CHECKPOINT_EVERY_MS',
      60_000,
      errors,
    ),
    errors,
  });

  const next: SpanProcessor[] = [];
  const spanExporter =
    options.spanExporter ?? (otlpRequested('TRACES') ? createTraceExporter(errors) : undefined);
  if (spanExporter) next.push(new BatchSpanProcessor(spanExporter));
  next.push(...(options.spanProcessors ?? []));
  const auditedSpans = new AuditedSpans();
  const spanProcessor = new AuditSpanProcessor({
    pipeline,
    redactor,
    subjectOf: (given) => fields.subjectOf(given),
    errors,
    next,
    auditedSpans,
  });

  let tracerProvider: BasicTracerProvider | undefined;
  if (options.register !== false) tracerProvider = registerGlobals(spanProcessor, resource, errors);

  const strict = new StrictGate({
    intents: new IntentWriter({ pipeline, fields, trail }),
    errors,
    settings: {
      enabled: options.strict ?? envFlag('TOOLTRAIL_STRICT'),
      timeoutMillis: positive(options.strictTimeoutMillis, 'TOOLTRAIL_STRICT_TIMEOUT_MS', 2000, errors),
    },
  });
  const runner = new ToolRunner({
    pipeline,
    redactor,
    errors,
    strict,
    auditedSpans,
    tracerName: 'tooltrail',
    tracerVersion: VERSION,
  });
  if (openAuditor(runner))
    errors.report('setup_twice', 'setupToolAudit() called again; the newest setup audits tool calls');

  const counts = () => ({
    records: pipeline.chain.nextSeq,
    lost: trail.lost,
    exported: shipper?.shipped ?? 0,
    pendingExport: shipper?.pending ?? 0,
    replayed: shipper?.replayed ?? 0,
    overflowed: shipper?.overflowed ?? 0,
    strictRefused: strict.refused,
  });
  const stopMetricsWatch = registerAuditMetrics(options.meterProvider, counts, (error) =>
    errors.report('metrics', 'could not register the audit metrics', error),
  );

  let uninstallHooks: (() => void) | undefined;
  let shuttingDown: Promise<void> | undefined;
  const shutdown = () => {
    shuttingDown ??= (async () => {
      uninstallHooks?.();
      stopMetricsWatch();
      await pipeline.shutdown();
      await (tracerProvider ?? spanProcessor).shutdown();
      // A newer setup keeps auditing; when this one was the newest, the one before it (if open) audits again.
      closeAuditor(runner);
    })();
    return shuttingDown;
  };
  if (options.exitHooks !== false) uninstallHooks = installExitHooks(shutdown);

  return {
    spanProcessor,
    tracerProvider,
    chainId,
    trailDir,
    signingKeyId: signingKey.id,
    publicKey: signingKey.publicKeyBase64,
    checkpoint: () => void pipeline.checkpoint(false),
    stats: () => ({ ...counts(), errors: Object.fromEntries(errors.counts) }),
    forceFlush: async () => {
      if (shuttingDown) return shuttingDown;
      await pipeline.forceFlush();
      await (tracerProvider ?? spanProcessor).forceFlush();
    },
    shutdown,
  };
}

/**
 * Creates the trail directory (0700) now. One refused by the StrictModes checks (a link, writable by group or
 * others, another user's) stops the setup; one that cannot be created yet is reported, and each write retries.
 */
function prepareTrailDir(dir: string, errors: ErrorHandler): void {
  try {
    ensurePrivateDir(dir, 'trail directory');
  } catch (error) {
    if (error instanceof UnsafePathError) throw error;
    errors.report('trail_dir', `cannot create the trail directory ${dir}`, error);
  }
}

function registerGlobals(
  spanProcessor: SpanProcessor,
  resource: Resource,
  errors: ErrorHandler,
): BasicTracerProvider | undefined {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager)) contextManager.disable();
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  if (trace.setGlobalTracerProvider(provider)) return provider;
  errors.report(
    'provider_exists',
    'a TracerProvider is already registered: add audit.spanProcessor first in its spanProcessors ' +
      '(tool calls made through auditTool are recorded either way)',
  );
  return undefined;
}

function buildResource(serviceName: string | undefined): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': serviceName ?? 'tooltrail-agent' }))
    .merge(detectResources({ detectors: [envDetector] }));
}

/** Sortable, file-name-safe chain id: UTC start time plus 8 random hex digits. */
function newChainId(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}
