import { parseArgs } from 'node:util';
import { parseDateRange } from '../fhir/dates.js';
import { alignColumns, styleFor } from '../output/style.js';
import { nearestRank } from '../report/format.js';
import { callFacts, mcpSide, pairCalls } from '../report/one-record-per-call.js';
import { openSource } from '../sources/open-source.js';
import { malformedReporter, SOURCE_HELP, SOURCE_USAGE } from './common-options.js';

/** The flags `tooltrail stats` accepts (its usage line names each one). */
export const STATS_OPTIONS = {
  tool: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  source: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  'both-sides': { type: 'boolean', default: false },
} as const;

export const STATS_USAGE = `usage: tooltrail stats [<dir-or-file>...] [--tool NAME] [--since DATE] [--until DATE] [--both-sides] ${SOURCE_USAGE} [--json]

Per tool: calls, success rate, average / p95 / max duration, unique users.
An MCP call audited on both sides counts once, with the client side's outcome and duration (the call as the
agent saw it, transport included).
p95 is the nearest-rank 95th percentile: the ceil(0.95 × n)-th smallest duration.
  --tool NAME         only this tool
  --since/--until     YYYY-MM-DD (UTC; --until includes the whole day) or RFC 3339 with a zone
  --both-sides        count records instead: both sides of an MCP call, each with its own duration
${SOURCE_HELP}
Exit status: 0, 2 usage or I/O error.`;

/** One tool's figures (the JSON keys of `--json`). */
export interface ToolStats {
  tool: string;
  total_calls: number;
  failures: number;
  success_rate: number;
  avg_duration_ms: number | null;
  p95_duration_ms: number | null;
  max_duration_ms: number | null;
  unique_users: number;
}

/**
 * `tooltrail stats`: returns the exit code. Streams; keeps one duration array and user set per tool, and the MCP
 * records until their two sides are paired.
 */
export async function statsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: STATS_OPTIONS,
  });
  const range = parseDateRange(['--since', values.since], ['--until', values.until]);
  const hints = {
    toolCallsOnly: true,
    tool: values.tool,
    since: range.from,
    until: range.to,
  };
  const perTool = new Map<string, { calls: number; ok: number; durations: number[]; users: Set<string> }>();
  const add = (record: Record<string, unknown>) => {
    const name = String(record.tool);
    let entry = perTool.get(name);
    if (!entry) {
      entry = { calls: 0, ok: 0, durations: [], users: new Set() };
      perTool.set(name, entry);
    }
    entry.calls++;
    if (record.success === true) entry.ok++;
    if (typeof record.duration_ms === 'number') entry.durations.push(record.duration_ms);
    if (record.user !== null && record.user !== undefined) entry.users.add(String(record.user));
  };
  const mcp: Array<Record<string, unknown>> = [];
  for await (const { record } of openSource([...positionals, ...(values.source ?? [])]).records(
    hints,
    malformedReporter(),
  )) {
    if (values['both-sides'] || mcpSide(record) === undefined) add(record);
    else mcp.push(record);
  }
  for (const call of pairCalls(mcp)) add(callFacts(call));
  const stats: ToolStats[] = [...perTool]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tool, entry]) => {
      const sorted = entry.durations.sort((a, b) => a - b);
      const total = sorted.reduce((sum, value) => sum + value, 0);
      return {
        tool,
        total_calls: entry.calls,
        failures: entry.calls - entry.ok,
        success_rate: round(entry.ok / entry.calls, 3),
        avg_duration_ms: sorted.length > 0 ? round(total / sorted.length, 1) : null,
        p95_duration_ms: roundOrNull(nearestRank(sorted, 95), 1),
        max_duration_ms: roundOrNull(sorted.at(-1) ?? null, 1),
        unique_users: entry.users.size,
      };
    });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ by_tool: stats }, null, 2)}\n`);
    return 0;
  }
  const style = styleFor(process.stdout);
  if (stats.length === 0) {
    process.stdout.write(`no tool calls${values.tool ? ` for ${values.tool}` : ''}\n`);
    return 0;
  }
  const header = ['tool', 'calls', 'success', 'avg', 'p95', 'max', 'users'];
  const rows = stats.map((s) => [
    style.bold(s.tool),
    String(s.total_calls),
    (s.success_rate < 1 ? style.warn : style.ok)(`${(s.success_rate * 100).toFixed(1)}%`),
    ms(s.avg_duration_ms),
    ms(s.p95_duration_ms),
    ms(s.max_duration_ms),
    String(s.unique_users),
  ]);
  const lines = alignColumns([header, ...rows]);
  lines[0] = style.dim(lines[0]!);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function roundOrNull(value: number | null, digits: number): number | null {
  return value === null ? null : round(value, digits);
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value}ms`;
}
