import { setupToolAudit } from '@tooltrail/core';
import {
  type RegisteredInstrumentation,
  registerToolInstrumentations,
} from './register-tool-instrumentations.js';

const STARTED = Symbol.for('tooltrail.instrumentation.started');
type Slots = { [STARTED]?: Promise<RegisteredInstrumentation[]> };

/**
 * The zero-code start behind `--import`/`-r`: `setupToolAudit()` from env vars, then every instrumentation.
 * Runs once per process even when both entries are preloaded.
 */
export function startFromEnv(options: { synchronous?: boolean } = {}): Promise<RegisteredInstrumentation[]> {
  const slots = globalThis as Slots;
  if (slots[STARTED]) return slots[STARTED];
  setupToolAudit();
  slots[STARTED] = registerToolInstrumentations({ synchronous: options.synchronous });
  return slots[STARTED];
}
