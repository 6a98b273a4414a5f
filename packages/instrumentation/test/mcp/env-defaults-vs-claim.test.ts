import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

// Env defaults are read once, on first use: set before tooltrail is loaded (this file runs in its own process).
process.env.TOOLTRAIL_USER_ID = 'server_default';
process.env.TOOLTRAIL_USER_ROLE = 'service';

/**
 * An MCP server process with env defaults (`TOOLTRAIL_USER_ID`, inherited or configured) must still record the
 * user its caller names in `_meta`: env defaults fill only what neither the code nor the caller set.
 */
describe('env defaults and the caller named in MCP _meta', () => {
  it("a server's TOOLTRAIL_USER_ID does not hide the caller's user; code-set attribution still wins", async () => {
    const fromCore = createRequire(join(resolve(import.meta.dirname, '../../../core'), 'package.json'));
    const { AsyncLocalStorageContextManager } = fromCore('@opentelemetry/context-async-hooks');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const core = await import('@tooltrail/core');
    const { fillFromClaim } = await import('../../src/mcp/meta-propagation.js');
    const claim = { userId: 'dr_caller', conversationId: 'conv_9' };
    expect(core.getAuditContext().userId).toBe('server_default');
    expect(core.getExplicitAuditContext()).toEqual({});
    expect(fillFromClaim(claim)).toEqual(claim);
    core.withAuditContext({ userId: 'svc_local' }, () => {
      expect(fillFromClaim(claim)).toEqual({ conversationId: 'conv_9' });
      expect(core.getAuditContext()).toMatchObject({ userId: 'svc_local', userRole: 'service' });
    });
    context.disable();
  });
});
