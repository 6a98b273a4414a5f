/** Why strict mode refused a call. */
export type AuditUnavailableReason = 'write_failed' | 'timeout' | 'not_recorded';

/**
 * Thrown by a strict (fail-closed) tool call when its intent record could not be made durable in time: the
 * tool was not executed. `cause` holds the underlying failure (an fs error, or undefined on a timeout).
 */
export class AuditUnavailableError extends Error {
  /** Stable code for callers that match on codes rather than classes. */
  readonly code = 'TOOLTRAIL_AUDIT_UNAVAILABLE';

  constructor(
    /** The tool that was not run. */
    readonly tool: string,
    readonly reason: AuditUnavailableReason,
    options?: { cause?: unknown; timeoutMillis?: number },
  ) {
    super(
      reason === 'timeout'
        ? `tooltrail: audit intent for ${tool} was not durable within ${options?.timeoutMillis} ms; the tool was not run`
        : `tooltrail: audit intent for ${tool} could not be written; the tool was not run`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }

  /** True for an `AuditUnavailableError` from any copy of this package (ESM and CJS builds). */
  static is(error: unknown): error is AuditUnavailableError {
    return (
      error instanceof AuditUnavailableError ||
      (error instanceof Error && (error as { code?: unknown }).code === 'TOOLTRAIL_AUDIT_UNAVAILABLE')
    );
  }
}

// On the prototype, not as a field: the stack trace's header is built in Error's constructor, before fields.
Object.defineProperty(AuditUnavailableError.prototype, 'name', {
  value: 'AuditUnavailableError',
  configurable: true,
  writable: true,
});
