import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot, tooltrail } from './support/run-cli.js';
import { writePublicKey, writeSealedTrail } from './support/sealed-trail.js';

// A process that only verifies — the CLI, or an application importing `@tooltrail/core/verify` — loads no
// OpenTelemetry package: on Node 20 that is about 20 MB less resident memory, the margin under the bounded-memory
// verifier's 100 MB. The built files are checked (what users run), statically and at run time.

const coreDist = join(repoRoot, 'packages/core/dist');
const cliDist = join(repoRoot, 'packages/cli/dist');
/** The core subpaths a verifying process may load, to their built files. */
const CORE_ENTRIES: Record<string, { esm: string; cjs: string }> = {
  '@tooltrail/core/verify': { esm: 'verify.js', cjs: 'verify.cjs' },
  '@tooltrail/core/internal': { esm: 'internal.js', cjs: 'internal.cjs' },
};
const BUILTINS = new Set(builtinModules);
/** Static `import … from`, `export … from` and bare `import` statements, `import()` and `require()` calls. */
const SPECIFIER =
  /(?:^|[;\n])\s*(?:import|export)\s[^;'"`]*?\bfrom\s*(["'])([^"']+)\1|(?:^|[;\n])\s*import\s*(["'])([^"']+)\3|\b(?:import|require)\s*\(\s*(["'])([^"']+)\5\s*\)/g;

/** The packages (bare specifiers) the built file `entry` reaches through its relative imports and core subpaths. */
function packagesReached(entry: string, format: 'esm' | 'cjs'): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    expect(existsSync(file), `${file}: run \`pnpm build\` first`).toBe(true);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = match[2] ?? match[4] ?? match[6];
      if (specifier === undefined) continue;
      if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier));
      else if (CORE_ENTRIES[specifier]) queue.push(join(coreDist, CORE_ENTRIES[specifier][format]));
      else if (!BUILTINS.has(specifier.replace(/^node:/, ''))) packages.add(specifier);
    }
  }
  return packages;
}

describe('verifying without the SDK', () => {
  it.each([
    ['core/verify', join(coreDist, 'verify.js'), 'esm'],
    ['core/verify', join(coreDist, 'verify.cjs'), 'cjs'],
    ['core/internal', join(coreDist, 'internal.js'), 'esm'],
    ['core/internal', join(coreDist, 'internal.cjs'), 'cjs'],
    ['the CLI binary', join(cliDist, 'bin.js'), 'esm'],
    ['the CLI library', join(cliDist, 'index.js'), 'esm'],
    ['the CLI library', join(cliDist, 'index.cjs'), 'cjs'],
  ] as const)('%s (%s: %s) reaches no package but Node built-ins', (_name, file, format) => {
    expect([...packagesReached(file, format)]).toEqual([]);
  });

  it('the walk does find the SDK where it is loaded: the main entry', () => {
    const reached = packagesReached(join(coreDist, 'index.js'), 'esm');
    expect(reached).toContain('@opentelemetry/sdk-trace-base');
    expect(reached).toContain('@opentelemetry/api');
  });

  it('`tooltrail verify` verifies a trail and resolves no OpenTelemetry module while doing so', () => {
    const work = mkdtempSync(join(tmpdir(), 'tooltrail-sdk-free-'));
    const dir = join(work, 'trail');
    writeSealedTrail(dir, '20261201T090000Z-5d3f0a1c', [
      { ts: '2026-12-01T09:00:00.000Z' },
      { ts: '2026-12-01T09:00:01.000Z' },
    ]);
    const publicKey = writePublicKey(join(work, 'trusted.pub.pem'));
    // An ESM resolve hook (registered before the CLI loads) that notes every package it is asked for.
    const log = join(work, 'resolved.log');
    const hooks = join(work, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith('.') && !specifier.startsWith('node:') && !specifier.startsWith('file:'))
    appendFileSync(${JSON.stringify(log)}, specifier + '\\n');
  return next(specifier, context);
}`,
    );
    const register = join(work, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`,
    );
    writeFileSync(log, '');
    const run = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(register).href, join(cliDist, 'bin.js'), 'verify', dir],
      {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', TOOLTRAIL_PUBLIC_KEY_FILE: publicKey },
        cwd: work,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('intact');
    expect(run.status).toBe(0);
    const resolved = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(resolved).toContain('@tooltrail/core/verify');
    expect(resolved.filter((specifier) => specifier.startsWith('@opentelemetry/'))).toEqual([]);
    expect(resolved).not.toContain('@tooltrail/core');
    // The same verdict without the hook (the hook changes nothing it reports).
    expect(tooltrail(['verify', dir], { TOOLTRAIL_PUBLIC_KEY_FILE: publicKey }).code).toBe(0);
  });
});
