import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/make-trail.js';

const dist = resolve(import.meta.dirname, '../dist');

const probe = `
const audit = setupToolAudit({ exitHooks: false });
console.log(JSON.stringify({
  shared: typeof internal.activeAuditor() === 'object',
  internalOnly: ['Redactor', 'activeAuditor', 'readTrailLines'].filter((name) => name in core),
  redacts: new internal.Redactor().redactText('ssn 123-45-6789'),
}));
audit.shutdown();
`;

describe('@tooltrail/core/internal', () => {
  it.each([
    [
      'cjs',
      "const core = require('@tooltrail/core'); const internal = require('@tooltrail/core/internal'); const { setupToolAudit } = core;",
    ],
    [
      'mjs',
      "import * as core from '@tooltrail/core'; import * as internal from '@tooltrail/core/internal'; const { setupToolAudit } = core;",
    ],
  ])('resolves from %s and shares the running setup with the public entry', (format, load) => {
    expect(
      existsSync(join(dist, `internal.${format === 'cjs' ? 'cjs' : 'js'}`)),
      'run `pnpm build` first',
    ).toBe(true);
    // A script inside the package resolves @tooltrail/core through the package's own exports map.
    const script = resolve(import.meta.dirname, `../.internal-${process.pid}.${format}`);
    writeFileSync(script, load + probe);
    try {
      const out = execFileSync(process.execPath, [script], {
        env: { ...process.env, TOOLTRAIL_DIR: tempDir() },
        encoding: 'utf8',
      });
      expect(JSON.parse(out)).toEqual({ shared: true, internalOnly: [], redacts: 'ssn [REDACTED:ssn]' });
    } finally {
      rmSync(script, { force: true });
    }
  });
});
