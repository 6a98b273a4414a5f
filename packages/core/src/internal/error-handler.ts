import { diag } from '@opentelemetry/api';

/**
 * The one place internal failures go. Telemetry never throws into the agent: every failure is counted (see
 * `stats().errors`), and each kind is reported once — to the user's `onError`, or to diag and a process warning.
 */
export class ErrorHandler {
  private readonly _seen = new Set<string>();
  readonly counts = new Map<string, number>();

  private _redact: ((text: string) => string) | undefined;

  constructor(private readonly _onError?: (error: unknown) => void) {}

  /** Redacts every message from now on: a failure's text can quote a value (an e-mail in an error message). */
  redactWith(redact: (text: string) => string): void {
    this._redact = redact;
  }

  report(kind: string, message: string, error?: unknown): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    // Repeats are only counted: building and logging an error per dropped record would cost more than the record.
    if (this._seen.has(kind)) return;
    this._seen.add(kind);
    let text = `${message}${error ? `: ${describe(error)}` : ''}`;
    try {
      if (this._redact) text = this._redact(text);
    } catch {
      text = `${kind} failure (its message could not be redacted)`;
    }
    // The cause stays the original error: it is handed to the user's own hook, inside the process.
    const wrapped = new Error(`tooltrail: ${text}`, { cause: error });
    if (this._onError) {
      try {
        this._onError(wrapped);
      } catch {
        // A failing user hook must not break the agent either.
      }
      return;
    }
    diag.error(wrapped.message);
    process.emitWarning(
      `${wrapped.message} (further '${kind}' failures are counted, not logged)`,
      'TooltrailWarning',
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
