import type { Attributes, SpanKind } from '@opentelemetry/api';
import type { RecordedToolCall, ToolCallInput } from '../pipeline/audit-pipeline.js';
import type { AuditContext, AuditTrigger } from '../types.js';

/** One tool call to run audited (what `auditTool` and the framework instrumentations describe). */
export interface ToolRun {
  name: string;
  /** Runs the tool; its return value or thrown error is passed through unchanged. */
  invoke: () => unknown;
  /** The arguments to record (redacted before storing). */
  args: unknown;
  callId?: string;
  subject?: string;
  retention?: string;
  trigger?: AuditTrigger;
  description?: string;
  /** @default 'function' */
  type?: string;
  /** Attribution the framework knows (model, conversation, turn): fills what the audit context lacks. */
  context?: Partial<AuditContext>;
  /** Extra span attributes (e.g. `mcp.method.name`); redacted like any span attribute. */
  attributes?: Attributes;
  /** Extra record fields (e.g. MCP server name); redacted. */
  extra?: Record<string, unknown>;
  /**
   * Extra record fields read from a successful result (e.g. an MCP resource's mime types and sizes), merged over
   * `extra` and redacted like it. A throwing function adds nothing.
   */
  resultFields?: (result: unknown) => Record<string, unknown> | undefined;
  /**
   * A span other than `execute_tool {name}` (e.g. MCP `resources/read`): this name and kind, and none of the
   * `gen_ai.*` tool attributes. The record is written the same way.
   */
  span?: { name: string; kind?: SpanKind };
  /** Fail closed for this call (intent record first); default: the setup's `strict`. */
  strict?: boolean;
  /**
   * The tool returns a promise: a strict call may then wait for its intent off the main thread (and time
   * out). Without it, the intent write blocks until durable.
   */
  async?: boolean;
}

/** What `auditTool` and instrumentations need from the running setup. */
export interface ToolAuditor {
  /** Runs a tool inside an `execute_tool` span and records it. */
  run(call: ToolRun): unknown;
  /** Records a tool call that was not run through `run` (e.g. requested by the model but not executed). */
  record(input: ToolCallInput): RecordedToolCall | undefined;
  /** Applies the setup's redaction to a text (e.g. a subject taken from an MCP resource URI). */
  redactText?(text: string): string;
}

// Symbol.for: the ESM and CJS builds of this package, if both get loaded, share one auditor.
const ACTIVE = Symbol.for('tooltrail.active-auditor');
const OPEN = Symbol.for('tooltrail.open-auditors');
const WARNED = Symbol.for('tooltrail.warned-not-set-up');
const WARNED_CLOSED = Symbol.for('tooltrail.warned-shut-down');
type Slots = {
  [ACTIVE]?: ToolAuditor;
  /** Every setup not shut down yet, oldest first: the newest one audits. */
  [OPEN]?: ToolAuditor[];
  [WARNED]?: boolean;
  [WARNED_CLOSED]?: boolean;
};

export function activeAuditor(): ToolAuditor | undefined {
  return (globalThis as Slots)[ACTIVE];
}

/**
 * An error as the running setup's redaction leaves it, for a warning that leaves the process (stderr, diag): an
 * error thrown by an extractor, an attribution resolver or a hook may quote the arguments or the request. Without
 * a running setup, only the error's name. Never throws.
 */
export function redactedError(error: unknown): string {
  try {
    const auditor = activeAuditor();
    if (auditor?.redactText) return auditor.redactText(String(error));
    return error instanceof Error ? error.name : typeof error;
  } catch {
    return 'unprintable error';
  }
}

/** Makes `auditor` the one that audits; returns the one it takes over from (still open). */
export function openAuditor(auditor: ToolAuditor): ToolAuditor | undefined {
  const slots = globalThis as Slots;
  const previous = slots[ACTIVE];
  slots[OPEN] ??= [];
  const open = slots[OPEN];
  if (previous !== undefined && !open.includes(previous)) open.push(previous);
  open.push(auditor);
  slots[ACTIVE] = auditor;
  return previous;
}

/**
 * `auditor` is shut down: the newest setup still open audits again (an older one is not left running its tools
 * unaudited), and with none left, audited calls run with a warning that they are not audited.
 */
export function closeAuditor(auditor: ToolAuditor): void {
  const slots = globalThis as Slots;
  const open = (slots[OPEN] ?? []).filter((other) => other !== auditor);
  slots[OPEN] = open;
  if (slots[ACTIVE] === auditor) slots[ACTIVE] = open.at(-1);
}

/** Warns once that audited calls run unaudited: before any setup, or after the last one shut down. */
export function warnNotSetUp(): void {
  const slots = globalThis as Slots;
  const closed = slots[OPEN] !== undefined;
  const flag = closed ? WARNED_CLOSED : WARNED;
  if (slots[flag]) return;
  slots[flag] = true;
  process.emitWarning(
    closed
      ? 'tooltrail: auditTool called after the audit was shut down; tool calls are NOT audited'
      : 'tooltrail: auditTool called before setupToolAudit(); tool calls are NOT audited',
    'TooltrailWarning',
  );
}
