import { trace } from '@opentelemetry/api';
import type { AuditContext, AuditTrigger } from '@tooltrail/core';
import { getAuditContext } from '@tooltrail/core';
import type { ToolAuditor } from '@tooltrail/core/internal';

/** Why a tool call the model requested did not run here. */
export type NotExecutedReason = 'no_execute' | 'approval_requested' | 'invalid_call';

/** A requested call that never ran: recorded with `success: false` and error type `not_executed`. */
export class ToolNotExecutedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'not_executed';
  }
}

export interface NotExecutedCall {
  tool: string;
  callId?: string;
  args: unknown;
  reason: NotExecutedReason;
  /** Shown as the record's error message (redacted); defaults to a sentence about the reason. */
  message?: string;
  trigger?: AuditTrigger;
  context?: Partial<AuditContext>;
}

const MESSAGES: Record<NotExecutedReason, string> = {
  no_execute: 'requested by the model; the tool has no execute function here (client-side tool)',
  approval_requested: 'requested by the model; waiting for approval, not executed in this step',
  invalid_call: 'requested by the model; rejected before execution (unknown tool or invalid input)',
};

/**
 * Records a tool call the model requested but that did not run: `success: false`, `error.type` `not_executed`,
 * extra fields `executed: false` and `not_executed_reason`.
 */
export function recordNotExecuted(auditor: ToolAuditor, call: NotExecutedCall): void {
  const active = getAuditContext();
  const spanContext = trace.getActiveSpan()?.spanContext();
  const valid = spanContext !== undefined && trace.isSpanContextValid(spanContext);
  auditor.record({
    tool: call.tool,
    callId: call.callId ?? null,
    args: call.args,
    outcome: { ok: false, error: new ToolNotExecutedError(call.message ?? MESSAGES[call.reason]) },
    durationMs: 0,
    startTimeMs: Date.now(),
    traceId: valid ? spanContext.traceId : undefined,
    spanId: valid ? spanContext.spanId : undefined,
    context: { ...active, ...definedOnly(call.context) },
    trigger: call.trigger ?? null,
    extra: { executed: false, not_executed_reason: call.reason },
  });
}

function definedOnly(context: Partial<AuditContext> | undefined): Partial<AuditContext> {
  const out: Record<string, unknown> = {};
  if (context) for (const [key, value] of Object.entries(context)) if (value !== undefined) out[key] = value;
  return out as Partial<AuditContext>;
}
