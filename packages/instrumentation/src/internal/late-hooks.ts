import { type MeterProvider, metrics } from '@opentelemetry/api';

/** Counter of target module copies hooked too late to be sure every call is seen (`{package, loader}`). */
export const LATE_HOOKS_METRIC = 'tooltrail.instrumentation.hooks.late';

const STATE = Symbol.for('tooltrail.instrumentation.late-hooks');

interface LateHooksState {
  counts: Map<string, { package: string; loader: string }>;
  providers: WeakSet<MeterProvider>;
  timer?: ReturnType<typeof setInterval>;
}

type Slots = { [STATE]?: LateHooksState };

/** What made a hook late. */
export type LateReason = 'loaded-before' | 'patched-asynchronously';

/**
 * Says once per package copy that a hook came late — the module was loaded before tooltrail patched it, or
 * (the `-r` preload on a Node without `require(esm)`) its ES module copy could only be patched after the
 * application started — and counts it in {@link LATE_HOOKS_METRIC}. Never throws.
 */
export function reportLateHook(
  id: string,
  loader: 'import' | 'require',
  reason: LateReason,
  log: (message: string) => void,
): void {
  try {
    const state = lateHooksState();
    const key = `${id} ${loader}`;
    if (state.counts.has(key)) return;
    state.counts.set(key, { package: id, loader });
    log(
      reason === 'loaded-before'
        ? `tooltrail: ${id} (${loader}) was loaded before tooltrail hooked it; objects created before this ` +
            'point may make calls that are not audited. Start the agent with ' +
            '`node --import @tooltrail/instrumentation/register` (or `-r` for CommonJS)'
        : `tooltrail: ${id} (${loader}) could only be hooked after the application started (this Node has ` +
            'no require(esm)); calls made before may not be audited. Start ES module agents with ' +
            '`node --import @tooltrail/instrumentation/register`',
    );
    watchMeterProvider(state);
  } catch {
    // Reporting is best effort: the agent runs on.
  }
}

/** The late hooks reported so far in this process (for tests and diagnostics). */
export function lateHooks(): { package: string; loader: string }[] {
  return [...lateHooksState().counts.values()].map((entry) => ({ ...entry }));
}

function lateHooksState(): LateHooksState {
  const slots = globalThis as Slots;
  slots[STATE] ??= { counts: new Map(), providers: new WeakSet() };
  return slots[STATE];
}

// A meter taken before the application installs its MeterProvider stays a no-op, and preloads run first:
// the global provider is re-checked (unref'd timer) and the counter registered on each new one.
function watchMeterProvider(state: LateHooksState): void {
  registerOn(metrics.getMeterProvider(), state);
  if (state.timer) return;
  state.timer = setInterval(() => registerOn(metrics.getMeterProvider(), state), 1000);
  state.timer.unref();
}

function registerOn(provider: MeterProvider, state: LateHooksState): void {
  if (state.providers.has(provider)) return;
  state.providers.add(provider);
  try {
    const counter = provider.getMeter('tooltrail').createObservableCounter(LATE_HOOKS_METRIC, {
      description: 'Target module copies hooked after they were loaded: some tool calls may not be audited',
      unit: '{module}',
    });
    counter.addCallback((result) => {
      for (const entry of state.counts.values())
        result.observe(1, { 'tooltrail.package': entry.package, 'tooltrail.loader': entry.loader });
    });
  } catch {
    // A broken provider must not break the agent.
  }
}
