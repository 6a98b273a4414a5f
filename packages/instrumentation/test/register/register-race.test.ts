import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMcpApp, MCP_V1_LATEST, MCP_V2_LATEST, type ModuleFormat } from '../support/mcp-app.js';
import { runNode } from '../support/run-node.js';
import { toolCalls } from '../support/trail.js';

// Each flag runs the both-sides MCP case (client and server process, stdio) this many times.
const RUNS_PER_FLAG = 50;
const PARALLEL = 5;

const apps = {
  v1: { esm: createMcpApp(MCP_V1_LATEST, 'esm'), cjs: createMcpApp(MCP_V1_LATEST, 'cjs') },
  v2: { esm: createMcpApp(MCP_V2_LATEST, 'esm'), cjs: createMcpApp(MCP_V2_LATEST, 'cjs') },
};
const scratch = mkdtempSync(join(tmpdir(), 'tooltrail-race-'));

afterAll(() => {
  for (const byFormat of Object.values(apps))
    for (const { dir } of Object.values(byFormat)) rmSync(dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  label: string;
  client: number;
  server: number;
  code: number | null;
  warnings: string[];
}

async function runOnce(flag: '-r' | '--import', index: number): Promise<Outcome> {
  const major = index % 2 === 0 ? 'v1' : 'v2';
  // Mostly ES module agents (the case that raced); every fifth run a CommonJS one.
  const format: ModuleFormat = index % 5 === 4 ? 'cjs' : 'esm';
  const { dir, entry } = apps[major][format];
  const trailDir = mkdtempSync(join(scratch, 'client-'));
  const serverTrailDir = mkdtempSync(join(scratch, 'server-'));
  const run = await runNode([flag, '@tooltrail/instrumentation/register', entry], {
    cwd: dir,
    env: { TOOLTRAIL_DIR: trailDir, SERVER_TRAIL_DIR: serverTrailDir, MCP_TRANSPORT: 'stdio' },
    timeoutMs: 30_000,
  });
  const warnings = run.stderr.split('\n').filter((line) => /hooked|could not hook/.test(line));
  return {
    label: `${flag} ${major} ${format} #${index}`,
    client: toolCalls(trailDir).length,
    server: toolCalls(serverTrailDir).length,
    code: run.code,
    warnings,
  };
}

describe('zero-code registration (race)', () => {
  it.each(['-r', '--import'] as const)(
    `%s: ${RUNS_PER_FLAG} two-process MCP runs, every call recorded on both sides`,
    async (flag) => {
      const outcomes: Outcome[] = [];
      for (let start = 0; start < RUNS_PER_FLAG; start += PARALLEL) {
        const batch = Array.from({ length: Math.min(PARALLEL, RUNS_PER_FLAG - start) }, (_, offset) =>
          runOnce(flag, start + offset),
        );
        outcomes.push(...(await Promise.all(batch)));
      }
      const lossy = outcomes.filter(
        (outcome) => outcome.code !== 0 || outcome.client !== 2 || outcome.server !== 2,
      );
      expect(lossy).toEqual([]);
      // Hooks in place before the app's first import: nothing to warn about.
      expect(outcomes.flatMap((outcome) => outcome.warnings)).toEqual([]);
      expect(outcomes).toHaveLength(RUNS_PER_FLAG);
    },
    360_000,
  );
});
