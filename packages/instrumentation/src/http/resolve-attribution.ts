import type { AuditContext } from '@tooltrail/core';
import { redactedError } from '@tooltrail/core/internal';
import { logOnce } from '../internal/log-once.js';

/**
 * Maps a request to who is asking, from your own auth (session, verified JWT claims, API key owner):
 * `(req) => ({ userId: req.user.id, userRole: req.user.role, conversationId: req.headers['x-conversation-id'] })`.
 * Return undefined for anonymous requests. May be async.
 */
export type AttributionResolver<Request> = (
  request: Request,
) => AuditContext | undefined | Promise<AuditContext | undefined>;

/**
 * Runs the resolver without letting it break the request: a throwing resolver is logged once and the request
 * goes on with the attribution already in effect (env defaults, an outer context).
 */
export function resolveAttribution<Request>(
  resolve: AttributionResolver<Request>,
  request: Request,
): AuditContext | undefined | Promise<AuditContext | undefined> {
  const failed = (error: unknown) => {
    // Redacted: the resolver's error may quote the request (an e-mail from a claim, a token from a header).
    logOnce(
      `tooltrail: the request attribution resolver threw; requests go on unattributed: ${redactedError(error)}`,
    );
    return undefined;
  };
  try {
    const attribution = resolve(request);
    return isPromise(attribution) ? attribution.then((value) => value, failed) : attribution;
  } catch (error) {
    return failed(error);
  }
}

/** True for a thenable. */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
