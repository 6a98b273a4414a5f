import { dirname, resolve } from 'node:path';
import { logOnce } from './internal/log-once.js';
import { INSTRUMENTATIONS } from './registry.js';
import type { EnableResult, InstrumentationName, RegisterToolInstrumentationsOptions } from './types.js';

/** What one instrumentation did when registered. */
export interface RegisteredInstrumentation extends EnableResult {
  name: InstrumentationName;
}

/**
 * Enables the tool-call instrumentations (all whose target package is installed, or `include`). Every copy this
 * Node can load synchronously (CommonJS, ES modules via `require(esm)`) is patched before this returns; await
 * the promise before importing the agent so the rest are too. Never throws: a hook that cannot be installed,
 * or that came late, is logged once and left out.
 */
export async function registerToolInstrumentations(
  options: RegisterToolInstrumentationsOptions = {},
): Promise<RegisteredInstrumentation[]> {
  const log = options.log ?? logOnce;
  const include = options.include ?? namesFromEnv(log);
  const context = {
    resolveFrom: options.resolveFrom ?? defaultResolveFrom(),
    log,
    synchronous: options.synchronous === true,
  };
  const pending: Promise<RegisteredInstrumentation>[] = [];
  for (const instrumentation of INSTRUMENTATIONS) {
    if (include && !include.includes(instrumentation.name)) continue;
    const { name } = instrumentation;
    const failed = (error: unknown): RegisteredInstrumentation => {
      log(`tooltrail: the ${name} instrumentation could not be enabled: ${String(error)}`);
      return { name, patched: [], skipped: [] };
    };
    try {
      pending.push(instrumentation.enable(context).then((result) => ({ name, ...result }), failed));
    } catch (error) {
      pending.push(Promise.resolve(failed(error)));
    }
  }
  return Promise.all(pending);
}

function namesFromEnv(log: (message: string) => void): InstrumentationName[] | undefined {
  const raw = process.env.TOOLTRAIL_INSTRUMENTATIONS?.trim();
  if (!raw) return undefined;
  const known = new Set<string>(INSTRUMENTATIONS.map((instrumentation) => instrumentation.name));
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0)
    log(`tooltrail: TOOLTRAIL_INSTRUMENTATIONS names unknown instrumentations: ${unknown.join(', ')}`);
  return names.filter((name) => known.has(name)) as InstrumentationName[];
}

function defaultResolveFrom(): string {
  const entry = process.argv[1];
  return entry ? dirname(resolve(entry)) : process.cwd();
}
