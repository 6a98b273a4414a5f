import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkMcpApp, MCP_V1_LATEST } from '../support/mcp-app.js';
import { runNode } from '../support/run-node.js';
import { toolCalls } from '../support/trail.js';

const appDir = linkMcpApp(MCP_V1_LATEST);
const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-env-defaults-'));
afterAll(() => {
  rmSync(appDir, { recursive: true, force: true });
  rmSync(trailDir, { recursive: true, force: true });
});

// A single-user agent: no tooltrail code but one wrapped tool; who it acts for comes from the environment.
const AGENT = `
import { auditTool, withAuditContext } from '@tooltrail/core';
const lookup = auditTool('lookup_chart', async (id) => ({ id }));
await lookup('P-1');
await withAuditContext({ userId: 'covering-doctor' }, () => lookup('P-2'));
`;

describe('env defaults for a single-user agent', () => {
  it('TOOLTRAIL_USER_ID / _USER_ROLE / _CONVERSATION_ID / _PURPOSE attribute every call; withAuditContext overrides field by field', async () => {
    const entry = join(appDir, 'agent.mjs');
    writeFileSync(entry, AGENT);
    const run = await runNode(['--import', '@tooltrail/instrumentation/register', entry], {
      cwd: appDir,
      env: {
        TOOLTRAIL_DIR: trailDir,
        TOOLTRAIL_USER_ID: 'dr-solo',
        TOOLTRAIL_USER_ROLE: 'physician',
        TOOLTRAIL_CONVERSATION_ID: ' session-7 ',
        TOOLTRAIL_PURPOSE: 'treatment',
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const records = toolCalls(trailDir);
    expect(
      records.map(({ args, user, role, conversation, purpose }) => ({
        args,
        user,
        role,
        conversation,
        purpose,
      })),
    ).toEqual([
      { args: 'P-1', user: 'dr-solo', role: 'physician', conversation: 'session-7', purpose: 'treatment' },
      {
        args: 'P-2',
        user: 'covering-doctor',
        role: 'physician',
        conversation: 'session-7',
        purpose: 'treatment',
      },
    ]);
  });
});
