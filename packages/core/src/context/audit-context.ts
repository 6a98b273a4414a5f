import { context, createContextKey } from '@opentelemetry/api';
import type { AuditContext } from '../types.js';
import { envAuditDefaults } from './env-defaults.js';

// createContextKey uses Symbol.for, so the ESM and CJS builds of this package share the key.
const AUDIT_CONTEXT_KEY = createContextKey('tooltrail.audit-context');

/**
 * Runs `fn` with this attribution in the active OpenTelemetry context (AsyncLocalStorage under the hood).
 * Nested calls override field by field; concurrent conversations never see each other's context.
 */
export function withAuditContext<T>(attribution: AuditContext, fn: () => T): T {
  const merged: AuditContext = { ...getAuditContext() };
  for (const [key, value] of Object.entries(attribution) as [keyof AuditContext, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return context.with(context.active().setValue(AUDIT_CONTEXT_KEY, Object.freeze(merged)), fn);
}

/**
 * The attribution in effect here; outside any `withAuditContext`, the env defaults (`TOOLTRAIL_USER_ID`, ...,
 * read once), which also sit under every nested context.
 */
export function getAuditContext(): Readonly<AuditContext> {
  return (context.active().getValue(AUDIT_CONTEXT_KEY) as AuditContext | undefined) ?? envAuditDefaults();
}
