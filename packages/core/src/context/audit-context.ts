import { type Context, context, createContextKey } from '@opentelemetry/api';
import type { AuditContext } from '../types.js';
import { envAuditDefaults } from './env-defaults.js';

// createContextKey uses Symbol.for, so the ESM and CJS builds of this package share the key.
const AUDIT_CONTEXT_KEY = createContextKey('tooltrail.audit-context');

/** The explicit attribution (without env defaults) and the merged view, stored together in the context. */
interface StoredContext {
  explicit: Readonly<AuditContext>;
  merged: Readonly<AuditContext>;
}

/**
 * Runs `fn` with this attribution in the active OpenTelemetry context (AsyncLocalStorage under the hood).
 * Nested calls override field by field; concurrent conversations never see each other's context.
 */
export function withAuditContext<T>(attribution: AuditContext, fn: () => T): T {
  const explicit: AuditContext = { ...getExplicitAuditContext() };
  for (const [key, value] of Object.entries(attribution) as [keyof AuditContext, unknown][]) {
    if (value !== undefined) (explicit as Record<string, unknown>)[key] = value;
  }
  const stored: StoredContext = {
    explicit: Object.freeze(explicit),
    merged: Object.freeze({ ...envAuditDefaults(), ...explicit }),
  };
  return context.with(context.active().setValue(AUDIT_CONTEXT_KEY, stored), fn);
}

/**
 * The attribution in effect here; outside any `withAuditContext`, the env defaults (`TOOLTRAIL_USER_ID`, ...,
 * read once), which also sit under every nested context.
 */
export function getAuditContext(): Readonly<AuditContext> {
  return auditContextIn(context.active());
}

/** The attribution `getAuditContext` gives in `ctx` (for a caller that holds the active context already). */
export function auditContextIn(ctx: Context): Readonly<AuditContext> {
  return (ctx.getValue(AUDIT_CONTEXT_KEY) as StoredContext | undefined)?.merged ?? envAuditDefaults();
}

/**
 * Only what code set here (`withAuditContext`, request middleware), without the env defaults: what a claim from
 * another process (MCP `_meta`) may not override, while an env default may be.
 */
export function getExplicitAuditContext(): Readonly<AuditContext> {
  return (context.active().getValue(AUDIT_CONTEXT_KEY) as StoredContext | undefined)?.explicit ?? EMPTY;
}

const EMPTY: Readonly<AuditContext> = Object.freeze({});
