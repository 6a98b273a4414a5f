import type { AuditContext } from '../types.js';

/** Env vars that give a single-user agent its attribution without code, and the field each fills. */
export const AUDIT_CONTEXT_ENV = {
  TOOLTRAIL_USER_ID: 'userId',
  TOOLTRAIL_USER_ROLE: 'userRole',
  TOOLTRAIL_CONVERSATION_ID: 'conversationId',
  TOOLTRAIL_PURPOSE: 'purpose',
} as const satisfies Record<string, keyof AuditContext>;

/** The attribution the env vars above give (blank values ignored). */
export function auditContextFromEnv(env: NodeJS.ProcessEnv = process.env): Readonly<AuditContext> {
  const context: Record<string, string> = {};
  for (const [name, field] of Object.entries(AUDIT_CONTEXT_ENV)) {
    const value = env[name]?.trim();
    if (value) context[field] = value;
  }
  return Object.freeze(context) as Readonly<AuditContext>;
}

let cached: Readonly<AuditContext> | undefined;

/**
 * The process-wide default attribution, read from the env once (on first use): the bottom layer under every
 * `withAuditContext` and request middleware, so a single-user agent needs no code to name its user.
 */
export function envAuditDefaults(): Readonly<AuditContext> {
  cached ??= auditContextFromEnv();
  return cached;
}
