import type { AuditTrigger } from '@tooltrail/core';
import type { ToolAuditor } from '@tooltrail/core/internal';

/** An audited call whose outcome arrives later. */
export interface PendingCall {
  resolve: (output: unknown) => void;
  reject: (error: unknown) => void;
  done: Promise<unknown>;
}

export interface DeferredRunCall {
  name: string;
  args: unknown;
  callId?: string;
  trigger?: AuditTrigger;
  model?: string;
}

/**
 * Starts an audited call whose outcome arrives later (from the SDK's finish event): the span opens now, the
 * record is written when `resolve`/`reject` is called. `during` runs inside the span's context.
 */
export function startDeferredRun(
  auditor: ToolAuditor,
  call: DeferredRunCall,
  during?: () => void,
): PendingCall | undefined {
  let resolve: (output: unknown) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const outcome = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let done: unknown;
  try {
    done = auditor.run({
      name: call.name,
      args: call.args,
      callId: call.callId,
      trigger: call.trigger,
      context: { model: call.model },
      invoke: () => {
        during?.();
        return outcome;
      },
    });
  } catch {
    return undefined;
  }
  const settled = Promise.resolve(done).then(
    () => undefined,
    // The tool's own error reaches the agent through the SDK, not through us.
    () => undefined,
  );
  return { resolve, reject, done: settled };
}
