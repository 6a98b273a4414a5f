import type { Attributes } from '@opentelemetry/api';
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
