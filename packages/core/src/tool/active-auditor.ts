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
const WARNED = Symbol.for('tooltrail.warned-not-set-up');
type Slots = { [ACTIVE]?: ToolAuditor; [WARNED]?: boolean };

export function activeAuditor(): ToolAuditor | undefined {
  return (globalThis as Slots)[ACTIVE];
}

export function setActiveAuditor(auditor: ToolAuditor | undefined): ToolAuditor | undefined {
  const slots = globalThis as Slots;
  const previous = slots[ACTIVE];
  slots[ACTIVE] = auditor;
  return previous;
}

export function warnNotSetUp(): void {
  const slots = globalThis as Slots;
  if (slots[WARNED]) return;
  slots[WARNED] = true;
  process.emitWarning(
    'tooltrail: auditTool called before setupToolAudit(); tool calls are NOT audited',
    'TooltrailWarning',
  );
}
