import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrail } from './support/make-trail.js';

const dist = resolve(import.meta.dirname, '../dist');

/**
 * The built package scans trail files on worker threads: the worker is its own file beside the chunks
 * (`dist/verify-worker.js`, `dist/verify-worker.cjs`), found from both builds. The report must be the one the
 * calling thread alone gives, problems, line numbers and all.
 */
const script = (load: string, trail: string, key: string) => `
${load}
const threads = require('node:worker_threads');
const files = [];
const Original = threads.Worker;
threads.Worker = class extends Original {
  constructor(file, options) {
    files.push(String(file));
    super(file, options);
  }
};
require('node:module').syncBuiltinESMExports();
const options = { publicKeys: [${JSON.stringify(key)}] };
(async () => {
  const threaded = await verifyTrail(${JSON.stringify(trail)}, { ...options, workers: 2 });
  const inline = await verifyTrail(${JSON.stringify(trail)}, { ...options, workers: 0 });
  console.log(JSON.stringify({ files, threaded, inline }));
})();
`;

describe('verify worker threads in the built package', () => {
  it.each([
    ['cjs', 'verify.cjs', "const { verifyTrail } = require('@tooltrail/core');"],
    [
      'esm',
      'verify.mjs',
      "import { verifyTrail } from '@tooltrail/core'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    ],
  ])(
    '%s: finds the worker file and reports what the calling thread reports',
    async (format, file, load) => {
      expect(
        existsSync(join(dist, `verify-worker.${format === 'cjs' ? 'cjs' : 'js'}`)),
        'run `pnpm build` first',
      ).toBe(true);
      const trail = await makeTrail({ calls: 3000, every: 200 });
      const lines = [...trail.lines];
      lines[7] = (lines[7] as string).replace('"status":"shipped"', '"status":"shipper"');
      lines.splice(2000, 1); // a gap
      lines[2500] = `${lines[2500]} `; // not canonical
      writeFileSync(trail.file, `${lines.join('\n')}\n`);
      const path = resolve(import.meta.dirname, `../.${format}-${process.pid}-${file}`);
      writeFileSync(path, script(load, trail.dir, trail.publicKeyPem));
      let out: string;
      try {
        out = execFileSync(process.execPath, [path], { encoding: 'utf8' });
      } finally {
        rmSync(path, { force: true });
      }
      const { files, threaded, inline } = JSON.parse(out) as {
        files: string[];
        threaded: { problems: Array<{ kind: string; line?: number }> };
        inline: unknown;
      };
      expect(files).toHaveLength(2);
      expect(
        files.every((name) => name.endsWith(format === 'cjs' ? 'verify-worker.cjs' : 'verify-worker.js')),
      ).toBe(true);
      expect(threaded).toEqual(inline);
      const kinds = threaded.problems.map((problem) => `${problem.kind}@${problem.line ?? ''}`).sort();
      // A trailing space: not canonical, and the hash is not over the stored bytes.
      expect(kinds).toEqual(['gap@', 'hash_mismatch@2501', 'hash_mismatch@8', 'non_canonical@2501'].sort());
    },
    60_000,
  );
});
