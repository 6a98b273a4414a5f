import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolCallRecord } from '@tooltrail/core';
import { createMcpApp, type McpApp, type ModuleFormat } from './mcp-app.js';
import { type NodeRun, runNode } from './run-node.js';
import { toolCalls } from './trail.js';

export interface AgentRun extends NodeRun {
  trailDir: string;
  serverTrailDir: string;
  records: ToolCallRecord[];
  results: { content?: { text?: string }[]; isError?: boolean }[];
}

/**
 * Runs the fixture agent the way a user would: `node --import @tooltrail/instrumentation/register agent.mjs`
 * (ESM) or `node -r @tooltrail/instrumentation/register agent.cjs` (CJS), no tooltrail setup in the agent.
 */
export async function runAgent(
  app: McpApp,
  format: ModuleFormat,
  env: Record<string, string | undefined> = {},
): Promise<AgentRun> {
  const { dir, entry } = createMcpApp(app, format);
  const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-trail-'));
  const serverTrailDir = mkdtempSync(join(tmpdir(), 'tooltrail-server-trail-'));
  const flag = format === 'esm' ? '--import' : '-r';
  const run = await runNode([flag, '@tooltrail/instrumentation/register', entry], {
    cwd: dir,
    env: { TOOLTRAIL_DIR: trailDir, SERVER_TRAIL_DIR: serverTrailDir, ...env },
  });
  if (run.code !== 0) throw new Error(`agent failed (${run.code}):\n${run.stderr}`);
  const line = run.stdout.split('\n').find((text) => text.startsWith('{"results"'));
  const results = line ? (JSON.parse(line) as { results: AgentRun['results'] }).results : [];
  return { ...run, trailDir, serverTrailDir, records: toolCalls(trailDir), results };
}

/** The fields that must match between two runs of the same agent (ids, times and hashes differ per run). */
export function comparable(record: ToolCallRecord): Record<string, unknown> {
  const {
    chain: _chain,
    hash: _hash,
    prev: _prev,
    ts: _ts,
    trace_id: _traceId,
    span_id: _spanId,
    parent_span_id: _parentSpanId,
    duration_ms: _duration,
    ...rest
  } = record as ToolCallRecord & Record<string, unknown>;
  return rest;
}
