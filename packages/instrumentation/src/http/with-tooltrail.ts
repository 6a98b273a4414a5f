import { withAuditContext } from '@tooltrail/core';
import { type AttributionResolver, safeResolver } from './resolve-attribution.js';

/**
 * Wraps a Next.js route handler (or any `(request, ...rest) => Response` handler: Remix, SvelteKit, Bun,
 * Deno) so the audit context from `resolve(request)` covers the whole handler:
 * `export const POST = withTooltrail(handler, async (req) => ({ userId: (await auth())?.user?.id }))`.
 */
export function withTooltrail<Request, Rest extends unknown[], Result>(
  handler: (request: Request, ...rest: Rest) => Result | Promise<Result>,
  resolve: AttributionResolver<Request>,
): (request: Request, ...rest: Rest) => Promise<Result> {
  const resolveSafely = safeResolver(resolve);
  return async function tooltrailRoute(request: Request, ...rest: Rest): Promise<Result> {
    const attribution = await resolveSafely(request);
    const run = () => handler(request, ...rest);
    return attribution ? withAuditContext(attribution, run) : run();
  };
}
