import { afterEach, describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit, type ToolAudit } from '../../src/index.js';
import { tempDir } from '../support/make-trail.js';
import { CANARY, leaksIn } from './canaries.js';

let audit: ToolAudit | undefined;
afterEach(async () => {
  await audit?.shutdown();
  audit = undefined;
});

/** Process warnings emitted while `fn` runs (they go to stderr, out of the process). */
async function warningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error) => seen.push(`${warning.name}: ${warning.message}`);
  process.on('warning', listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('messages about internal failures', () => {
  it("redacts what a failure's message quotes, in the onError hook and in process warnings", async () => {
    const reported: string[] = [];
    audit = setupToolAudit({
      trail: { dir: tempDir() },
      register: false,
      exitHooks: false,
      onError: (error) => reported.push(String((error as Error).message)),
    });
    await auditTool('chart', async () => 'ok', { retention: `keep-for-${CANARY.email}` })();
    expect(reported.some((message) => message.includes('unknown retention class'))).toBe(true);
    expect(leaksIn(reported.join('\n'))).toEqual([]);

    const warnings = await warningsDuring(async () => {
      const tool = auditTool('chart', async (_id: string) => 'ok', {
        subject: (id) => {
          throw new Error(`no patient ${id} (${CANARY.email})`);
        },
      });
      await tool(CANARY.ssn);
    });
    expect(warnings.some((warning) => warning.includes('option function threw'))).toBe(true);
    expect(leaksIn(warnings.join('\n'))).toEqual([]);
  });
});
