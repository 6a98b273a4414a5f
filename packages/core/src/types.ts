import type { KeyObject } from 'node:crypto';
import type { MeterProvider } from '@opentelemetry/api';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What caused a tool call. */
export type AuditTrigger = 'user_request' | 'proactive' | 'retry' | 'follow_up' | 'system';

/** Attribution carried by `withAuditContext()` into every tool call made in its scope. */
export interface AuditContext {
  userId?: string;
  userRole?: string;
  conversationId?: string;
  turn?: number;
  model?: string;
  trigger?: AuditTrigger;
  purpose?: string;
  /** Session metadata (client IP, user agent, ...): redacted and stored as `session`. */
  session?: Record<string, unknown>;
  /** Break-the-glass: every record in scope is marked `emergency: true` with the reason. */
  emergency?: { reason: string };
}

/** What a redaction rule does to a matching value. */
export type RedactionAction = 'mask' | 'drop' | 'pseudonymize';

/** Kinds of sensitive values found by value detectors, in free text too. */
export type DetectorKind =
  | 'ssn'
  | 'card'
  | 'email'
  | 'phone'
  | 'jwt'
  | 'bearer'
  | 'cloud_key'
  | 'private_key'
  | 'iban';

/** A field-name rule: case- and separator-insensitive; matches the name or its suffix. */
export interface KeyRule {
  key: string;
  /** Shown in the mask, `[REDACTED:<kind>]`. Defaults to the key. */
  kind?: string;
  /** @default 'mask' */
  action?: RedactionAction;
  /**
   * How the normalised key is compared with the normalised field name: `suffix` (equals it or ends with it),
   * `prefix`, `contains`, `exact` or `word` (one word of the name: `card_pin`, `cardPin`). @default 'suffix'
   */
  match?: 'suffix' | 'prefix' | 'contains' | 'exact' | 'word';
}

/** Bounds that keep every record finite whatever the tool receives or returns. */
export interface RedactionLimits {
  /** @default 32 */
  maxDepth?: number;
  /** @default 2048 */
  maxStringLength?: number;
  /** @default 200 */
  maxObjectKeys?: number;
  /** @default 100 */
  maxArrayItems?: number;
  /** Values visited per redaction, after which the rest is marked `[truncated]`. @default 5000 */
  maxNodes?: number;
}

export interface RedactionOptions {
  /** Extra field-name rules, checked before the defaults. */
  keys?: KeyRule[];
  /** Keep the built-in field-name rules. @default true */
  defaultKeys?: boolean;
  /** Per-detector action; `'off'` disables one. All detectors are on by default. */
  detectors?: Partial<Record<DetectorKind, 'mask' | 'pseudonymize' | 'off'>>;
  limits?: RedactionLimits;
}

/** Key for keyed pseudonyms (HMAC-SHA256). */
export interface PseudonymKey {
  id: string;
  secret: string | Uint8Array;
}

/** Ed25519 key that signs checkpoints. */
export interface SigningKey {
  /** Key id written into checkpoints. @default fingerprint of the public key */
  id?: string;
  /** PKCS#8 PEM string or a private KeyObject. */
  privateKey: string | KeyObject;
}

/** A retention class and how long its records are kept. */
export interface RetentionClass {
  days: number;
}

export interface RetentionOptions {
  /** @default { financial: 2555 days, healthcare: 2190 days, general: 365 days } */
  classes?: Record<string, RetentionClass>;
  /** Tool name → class. @default the built-in map (charge_payment → financial, access_patient_record → healthcare, ...) */
  tools?: Record<string, string>;
  /** Class of tools not in `tools`. @default 'general' */
  defaultClass?: string;
}

/** When the local trail calls fsync(2). Every record is written (write(2)) before the tool returns. */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface LocalTrailOptions {
  /** Trail directory. Env `TOOLTRAIL_DIR`. @default '.tooltrail' */
  dir?: string;
  /** @default 'interval' */
  fsync?: FsyncPolicy;
  /** @default 1000 */
  fsyncIntervalMillis?: number;
  /** A chain's file rolls over to a new segment past this size. @default 67108864 (64 MiB) */
  maxFileBytes?: number;
}

export interface CheckpointOptions {
  /** Sign a checkpoint after this many records. @default 1000 */
  everyRecords?: number;
  /** ... or after this long with unsigned records. @default 60000 */
  everyMillis?: number;
}

export interface SetupToolAuditOptions {
  /** Resource `service.name`; env `OTEL_SERVICE_NAME` wins when set. */
  serviceName?: string;
  trail?: LocalTrailOptions;
  redaction?: RedactionOptions;
  /** Env `TOOLTRAIL_PSEUDONYM_KEY` (`<id>:<base64 secret>`) or `TOOLTRAIL_PSEUDONYM_KEY_FILE`. */
  pseudonymKey?: PseudonymKey;
  /**
   * Env `TOOLTRAIL_SIGNING_KEY_FILE` (PKCS#8 PEM) or `TOOLTRAIL_SIGNING_KEY`. Without one, a key is generated
   * into `<trail>/keys/` with a warning: a key stored beside the trail does not protect against whoever can
   * rewrite the trail.
   */
  signingKey?: SigningKey;
  checkpoints?: CheckpointOptions;
  retention?: RetentionOptions;
  /**
   * Argument key → subject kind, used when a call has no `subject` extractor (framework hooks, MCP servers):
   * `{ patient_id: 'patient' }` records `subject: "patient:P-1"` for `{ patient_id: 'P-1' }`. Env
   * `TOOLTRAIL_SUBJECT_KEYS=patient_id=patient,customer_id=customer`. @default none
   */
  subjectKeys?: Record<string, string>;
  /**
   * Write every record's subject as a keyed pseudonym (`patient:hmac:<key-id>:<hex>`), not only subjects taken
   * from values the redaction rules cover (those are always pseudonymised, or masked without a key). For
   * identifiers that are personal data themselves (medical record numbers under HIPAA Safe Harbor). Needs
   * `pseudonymKey`; `tooltrail pseudonym --kind subject` and `tooltrail report access` find them from the clear
   * value. Env `TOOLTRAIL_SUBJECT_PSEUDONYMS=true`. @default false
   */
  subjectPseudonyms?: boolean;
  /** Top-level result keys copied into the result summary, besides `id`, `*_id`, `status` and `count`. */
  resultSummaryKeys?: string[];
  /**
   * Register a global TracerProvider (with this processor first) and context manager when none is registered.
   * @default true
   */
  register?: boolean;
  /** Span exporter for the provider registered by `register`; default: OTLP when the env asks for it. */
  spanExporter?: SpanExporter;
  /** Extra span processors after the audit processor on the registered provider. */
  spanProcessors?: SpanProcessor[];
  /** Exporter for audit log records; default: OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. */
  logExporter?: LogRecordExporter;
  /** Called with every internal telemetry failure (never thrown into the agent). */
  onError?: (error: unknown) => void;
  /**
   * Fail closed: before a tool runs, an `intent` record is written and fdatasync'ed; if that fails or takes
   * longer than `strictTimeoutMillis`, the tool is not run and the call throws `AuditUnavailableError`.
   * Env `TOOLTRAIL_STRICT=true`. Per tool: `auditTool(name, fn, { strict })`. @default false
   */
  strict?: boolean;
  /**
   * How long the intent may take to become durable. Async tools race the fdatasync against it; a sync
   * tool's write blocks (it cannot be interrupted) and is refused afterwards if it took longer.
   * Env `TOOLTRAIL_STRICT_TIMEOUT_MS`. @default 2000
   */
  strictTimeoutMillis?: number;
  /** Audit log export tuning (records wait in the trail, never dropped, when these bounds are hit). */
  logExport?: LogExportOptions;
  /**
   * Meter for the loss and export metrics. @default the global MeterProvider, including one registered after
   * setup (e.g. by a NodeSDK started later; re-checked every second)
   */
  meterProvider?: MeterProvider;
}

/** Tuning of the audit log export (trail → OTLP). */
export interface LogExportOptions {
  /** Records held in memory; beyond it they are read back from the trail. @default 20000 */
  maxQueue?: number;
  /** Records per export request. @default 512 */
  maxBatch?: number;
  /** First retry delay after a failed export; doubles up to 30 s. @default 500 */
  retryMillis?: number;
  /**
   * Ship the unshipped records of older chains in the trail directory (crashed or restarted processes),
   * from their acknowledged position. @default true
   */
  replay?: boolean;
}

/** Per-tool options of `auditTool()`. */
export interface AuditToolOptions<Args extends unknown[] = unknown[]> {
  description?: string;
  /** The model's tool-call id, or a function of the arguments that returns it. */
  callId?: string | ((...args: Args) => string | undefined);
  /** The data subject touched, e.g. `args => 'patient:' + args.patient_id`. */
  subject?: (...args: Args) => string | undefined;
  /** Retention class of this tool's records (overrides the retention map). */
  retention?: string;
  /** Trigger for this tool's calls (overrides the audit context). */
  trigger?: AuditTrigger | ((...args: Args) => AuditTrigger | undefined);
  /** Tool type for `gen_ai.tool.type`. @default 'function' */
  type?: string;
  /** Fail closed for this tool (see `SetupToolAuditOptions.strict`). @default the setup's `strict` */
  strict?: boolean;
}
