import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrail, writeLines } from './support/make-trail.js';

const dist = resolve(import.meta.dirname, '../dist');

// `@tooltrail/core/verify` is the verifier without the SDK (packages/cli/test/sdk-free-verify.test.ts checks that
// it loads no OpenTelemetry package). Here: it resolves from both module systems through the package's exports
// map, gives the same verdicts as the main entry, and is the same function (one copy of the module state).
const probe = `
const ok = await verify.verifyTrail(process.env.TRAIL, { publicKeys: [process.env.PUBLIC_KEY] });
const bad = await verify.verifyTrail(process.env.TAMPERED, { publicKeys: [process.env.TAMPERED_KEY] });
console.log(JSON.stringify({
  same: verify.verifyTrail === core.verifyTrail && verify.loadPublicKey === core.loadPublicKey,
  exports: Object.keys(verify).filter((name) => name !== 'default' && name !== '__esModule').sort(),
  ok: ok.ok,
  records: ok.records,
  tampered: bad.ok,
  problem: bad.problems[0]?.kind,
}));
`;

describe('@tooltrail/core/verify', () => {
  it.each([
    [
      'cjs',
      "(async () => { const core = require('@tooltrail/core'); const verify = require('@tooltrail/core/verify');",
      '})();',
    ],
    ['mjs', "import * as core from '@tooltrail/core'; import * as verify from '@tooltrail/core/verify';", ''],
  ])('resolves from %s and verifies as the main entry does', async (format, head, tail) => {
    expect(
      existsSync(join(dist, `verify.${format === 'cjs' ? 'cjs' : 'js'}`)),
      'run `pnpm build` first',
    ).toBe(true);
    const trail = await makeTrail({ calls: 5, every: 2 });
    const tampered = await makeTrail({ calls: 5, every: 2 });
    // One argument changed in a sealed record: its hash no longer matches.
    writeLines(
      tampered,
      tampered.lines.map((line, i) => (i === 2 ? line.replace('"ORD-1"', '"ORD-9"') : line)),
    );
    // A script inside the package resolves @tooltrail/core through the package's own exports map.
    const script = resolve(import.meta.dirname, `../.verify-${process.pid}.${format}`);
    writeFileSync(script, head + probe + tail);
    try {
      const out = execFileSync(process.execPath, [script], {
        env: {
          ...process.env,
          TRAIL: trail.dir,
          PUBLIC_KEY: trail.publicKeyPem,
          TAMPERED: tampered.dir,
          TAMPERED_KEY: tampered.publicKeyPem,
        },
        encoding: 'utf8',
      });
      expect(JSON.parse(out)).toEqual({
        same: true,
        exports: ['loadPublicKey', 'verifyTrail'],
        ok: true,
        records: 9,
        tampered: false,
        problem: 'hash_mismatch',
      });
    } finally {
      rmSync(script, { force: true });
    }
  });
});
