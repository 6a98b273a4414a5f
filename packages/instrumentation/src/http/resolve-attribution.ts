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
 * `resolve` made safe for a request path: a throwing (or rejecting) resolver is logged once — its first error,
 * redacted — and the request goes on with the attribution already in effect (env defaults, an outer context).
 * Once per resolver, not per message: errors that differ per request (a request id, a user) would otherwise log
 * on every request and grow the set of messages seen for ever.
 */
export function safeResolver<Request>(
  resolve: AttributionResolver<Request>,
): (request: Request) => AuditContext | undefined | Promise<AuditContext | undefined> {
  let warned = false;
  const failed = (error: unknown) => {
    if (!warned) {
      warned = true;
      // Redacted: the resolver's error may quote the request (an e-mail from a claim, a token from a header).
      logOnce(
        `tooltrail: the request attribution resolver threw; requests go on unattributed: ${redactedError(error)}`,
      );
    }
    return undefined;
  };
  return (request) => {
    try {
      const attribution = resolve(request);
      return isPromise(attribution) ? attribution.then((value) => value, failed) : attribution;
    } catch (error) {
      return failed(error);
    }
  };
}

/** True for a thenable. */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
