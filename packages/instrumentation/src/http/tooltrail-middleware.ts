import { type AuditContext, withAuditContext } from '@tooltrail/core';
import { type AttributionResolver, isPromise, safeResolver } from './resolve-attribution.js';

/** `next` of Express/Connect, `done` of a Fastify hook. */
type NextCallback = () => void;

/**
 * A request middleware in the two shapes servers call: `(req, res, next)` — Express, Connect, and Fastify's
 * `preHandler` hook — and `(c, next)` — Hono.
 */
export interface TooltrailMiddleware<Request> {
  (context: Request, next: () => Promise<void>): Promise<void>;
  // Last: type-level checks that look at one signature (Fastify's "is this hook async?") see the callback form.
  (request: Request, response: unknown, next: NextCallback): void;
}

/**
 * Sets the audit context (user, role, conversation, ...) for everything a request runs — every tool call the
 * agent makes while handling it is attributed — from `resolve(request)`, your auth's view of the caller.
 *
 * - Express / Connect: `app.use(tooltrailMiddleware((req) => ({ userId: req.user.id })))` after your auth.
 * - Fastify: `app.addHook('preHandler', tooltrailHook((request) => ...))` (same function, typed as a hook).
 * - Hono: `app.use(tooltrailMiddleware((c) => ({ userId: c.get('jwtPayload').sub })))`.
 */
export function tooltrailMiddleware<Request = unknown>(
  resolve: AttributionResolver<Request>,
): TooltrailMiddleware<Request> {
  const resolveSafely = safeResolver(resolve);
  function middleware(request: Request, second: unknown, third?: unknown): void | Promise<void> {
    if (typeof second === 'function') {
      // Hono: (c, next) — next() returns a promise the framework awaits.
      const next = second as () => Promise<void>;
      const attribution = resolveSafely(request);
      return isPromise(attribution)
        ? attribution.then((value) => runWith(value, next))
        : runWith(attribution, next);
    }
    const next = third as NextCallback;
    const attribution = resolveSafely(request);
    if (isPromise(attribution)) void attribution.then((value) => runWith(value, () => next()));
    else runWith(attribution, () => next());
  }
  return middleware as TooltrailMiddleware<Request>;
}

function runWith<T>(attribution: AuditContext | undefined, fn: () => T): T {
  return attribution ? withAuditContext(attribution, fn) : fn();
}

/**
 * {@link tooltrailMiddleware} typed as a Fastify hook (callback form), for
 * `app.addHook('preHandler', tooltrailHook((request) => ({ userId: request.user.id })))`: `preHandler` runs after
 * the body is parsed, so the whole route handler runs in the request's audit context.
 */
export function tooltrailHook<Request = unknown>(
  resolve: AttributionResolver<Request>,
): (request: Request, reply: unknown, done: NextCallback) => void {
  return tooltrailMiddleware(resolve);
}
