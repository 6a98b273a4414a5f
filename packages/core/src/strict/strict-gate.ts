import type { ErrorHandler } from '../internal/error-handler.js';
import type { IntentInput, IntentLink } from '../pipeline/tool-call-input.js';
import { AuditUnavailableError, type AuditUnavailableReason } from './audit-unavailable-error.js';
import type { IntentWrite, IntentWriter } from './intent-writer.js';
import { raceTimeout, TIMED_OUT } from './race-timeout.js';

/** What the gate reads of a call: its name (for the error) and whether the tool returns a promise. */
type GatedCall = { name: string; async?: boolean };

/** Strict (fail-closed) settings of a setup. */
export interface StrictSettings {
  /** Default for tools that do not say. */
  enabled: boolean;
  timeoutMillis: number;
}

/** What links a strict call's result record to its intent. */
export interface IntentState {
  intent?: IntentLink;
  args?: unknown;
  executed?: boolean;
}

/** The runner's side of a strict call `S` (its span and start), called back by the gate. */
export interface StrictSteps<S> {
  /** The call as known before it runs: what its intent record holds. */
  intent(state: S): IntentInput;
  /** Runs the tool (its intent is durable) and records its result. */
  invoke(state: S, link: IntentState): unknown;
  /** Records the refusal: it closes the intent, when the trail takes it (the verifier then sees no open call). */
  refused(state: S, error: AuditUnavailableError, link: IntentState): void;
}

/** What `setupToolAudit` hands the gate. */
export interface StrictGateOptions {
  intents: IntentWriter;
  errors: ErrorHandler;
  settings: StrictSettings;
}

/**
 * Fail closed: the intent is written and fdatasync'ed before the tool runs, or the call is refused with an
 * `AuditUnavailableError` and the tool never runs. Async tools wait for the sync off the main thread, raced
 * against the timeout; a sync tool's write blocks and is judged afterwards.
 */
export class StrictGate {
  /** Strict calls refused because their intent could not be made durable. */
  refused = 0;

  constructor(private readonly _options: StrictGateOptions) {}

  /** Whether a call that does not say is strict. */
  get enabled(): boolean {
    return this._options.settings.enabled;
  }

  /** Runs `call` once its intent is durable. `state` undefined: the call could not be audited, so it is refused. */
  run<S>(call: GatedCall, state: S | undefined, steps: StrictSteps<S>): unknown {
    const isAsync = call.async === true;
    if (state === undefined) return this._refuse(call, undefined, steps, 'not_recorded', undefined, isAsync);
    const started = performance.now();
    let write: IntentWrite;
    try {
      write = this._options.intents.write(steps.intent(state), !isAsync);
    } catch (error) {
      return this._refuse(call, state, steps, 'not_recorded', error, isAsync);
    }
    const link: IntentState = { intent: write.link, args: write.args };
    const { timeoutMillis } = this._options.settings;
    if (!isAsync) {
      if (write.durable !== true)
        return this._refuse(call, state, steps, 'write_failed', this._options.intents.lastError, false, link);
      if (performance.now() - started > timeoutMillis)
        return this._refuse(call, state, steps, 'timeout', undefined, false, link);
      return steps.invoke(state, link);
    }
    return raceTimeout(write.durable as Promise<void>, timeoutMillis).then(
      () => steps.invoke(state, link),
      (error: unknown) =>
        error === TIMED_OUT
          ? this._refuse(call, state, steps, 'timeout', undefined, true, link)
          : this._refuse(call, state, steps, 'write_failed', error, true, link),
    );
  }

  private _refuse<S>(
    call: GatedCall,
    state: S | undefined,
    steps: StrictSteps<S>,
    reason: AuditUnavailableReason,
    cause: unknown,
    isAsync: boolean,
    link?: IntentState,
  ): never | Promise<never> {
    this.refused++;
    const error = new AuditUnavailableError(call.name, reason, {
      cause,
      timeoutMillis: this._options.settings.timeoutMillis,
    });
    this._options.errors.report('strict_refused', error.message, cause);
    if (state !== undefined) steps.refused(state, error, { ...link, executed: false });
    if (isAsync) return Promise.reject(error);
    throw error;
  }
}
