import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/make-trail.js';
import { verifyPinned } from './support/verify-pinned.js';

const dist = resolve(import.meta.dirname, '../dist');

const agent = (load: string) => `
${load}
const audit = setupToolAudit({ exitHooks: false });
const tool = auditTool('lookup', async (args) => ({ id: args.id }));
withAuditContext({ userId: 'u-' + FORMAT }, () => tool({ id: 'X-1', ssn: '123-45-6789' }))
  .then(() => audit.shutdown())
  .then(() => console.log('done'));
`;

describe('package builds', () => {
  it.each([
    [
      'cjs',
      'agent.cjs',
      "const { setupToolAudit, auditTool, withAuditContext } = require('@tooltrail/core'); const FORMAT = 'cjs';",
    ],
    [
      'esm',
      'agent.mjs',
      "import { setupToolAudit, auditTool, withAuditContext } from '@tooltrail/core'; const FORMAT = 'esm';",
    ],
  ])('works from %s (require and import of @tooltrail/core)', async (format, file, load) => {
    expect(existsSync(join(dist, 'index.cjs')), 'run `pnpm build` first').toBe(true);
    // A script inside the package resolves @tooltrail/core through the package's own exports map.
    const dir = tempDir();
    const script = resolve(import.meta.dirname, `../.${format}-${process.pid}-${file}`);
    writeFileSync(script, agent(load));
    try {
      const out = execFileSync(process.execPath, [script], {
        env: { ...process.env, TOOLTRAIL_DIR: dir },
        encoding: 'utf8',
      });
      expect(out.trim()).toBe('done');
    } finally {
      execFileSync('rm', ['-f', script]);
    }
    const trail = readdirSync(dir).find((name) => name.endsWith('.jsonl'))!;
    const records = readFileSync(join(dir, trail), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // The chain's signed genesis checkpoint, then the call.
    expect(records[0]).toMatchObject({ type: 'checkpoint', seq: 0, genesis: true, final: false });
    expect(records[1]).toMatchObject({
      type: 'tool_call',
      seq: 1,
      tool: 'lookup',
      user: `u-${format}`,
      args: { id: 'X-1', ssn: '[REDACTED:ssn]' },
    });
    expect(records.at(-1)).toMatchObject({ type: 'checkpoint', final: true });
    expect((await verifyPinned(dir)).ok).toBe(true);
  });
});
