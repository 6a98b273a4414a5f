import { parseArgs } from 'node:util';
import { styleFor } from '../output/style.js';
import { printable } from '../report/format.js';
import { isProtected, printIntegrityLine } from '../report/integrity.js';
import { bothSides, mcpSide, pairCalls } from '../report/one-record-per-call.js';
import { openSource } from '../sources/open-source.js';
import { UsageError } from '../usage-error.js';
import { malformedReporter, SOURCE_HELP, SOURCE_OPTIONS, SOURCE_USAGE } from './common-options.js';
import { trustFrom, VIEW_TRUST_HELP, VIEW_TRUST_OPTIONS, VIEW_TRUST_USAGE } from './trust-options.js';

/** The flags `tooltrail timeline` accepts (its usage line names each one). */
export const TIMELINE_OPTIONS = {
  ...SOURCE_OPTIONS,
  ...VIEW_TRUST_OPTIONS,
  'both-sides': { type: 'boolean', default: false },
} as const;

export const TIMELINE_USAGE = `usage: tooltrail timeline <conversation-id> [<dir-or-file>...] [--both-sides] ${SOURCE_USAGE} [--json] ${VIEW_TRUST_USAGE}

The tool calls of one conversation in time order, one line each:
  [Turn 1] ✅ tool({redacted args}) → {result summary} [duration]
An MCP call audited on both sides shows once, as its client-side record.
  --both-sides        show every record: the server side of an MCP call right after its client side
${SOURCE_HELP}
${VIEW_TRUST_HELP}
Exit status: 0 (also when the conversation has no calls: a message on stderr), 2 usage or I/O error.`;

/** `tooltrail timeline`: returns the exit code. */
export async function timelineCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: TIMELINE_OPTIONS,
  });
  const [conversation, ...paths] = positionals;
  if (!conversation) throw new UsageError('a conversation id is required');
  const trust = trustFrom(values);
  const source = openSource([...paths, ...(values.source ?? [])]);
  const onMalformed = malformedReporter();
  const records: Array<Record<string, unknown>> = [];
  // Only one conversation's calls are held: the filter is pushed down to the source.
  for await (const { record } of source.records({ conversation, toolCallsOnly: true }, onMalformed))
    records.push(record);
  const integrity = await printIntegrityLine(source, values, trust, onMalformed);
  records.sort(
    (a, b) =>
      String(a.ts).localeCompare(String(b.ts)) ||
      String(a.chain).localeCompare(String(b.chain)) ||
      Number(a.seq) - Number(b.seq),
  );
  const paired = pairCalls(records);
  const calls = values['both-sides'] ? bothSides(paired) : paired.map((call) => call.record);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(calls, null, 2)}\n`);
    return 0;
  }
  if (calls.length === 0) {
    process.stderr.write(`no tool calls found for conversation ${conversation} in ${source.label}\n`);
    return 0;
  }
  const style = styleFor(process.stdout);
  for (const call of calls) {
    const flag =
      integrity && !isProtected(integrity, call.chain, call.seq) ? ` ${style.bad('UNPROTECTED')}` : '';
    process.stdout.write(`${timelineLine(call, style, values['both-sides'])}${flag}\n`);
  }
  return 0;
}

/** One timeline line: turn, outcome, tool(args) → result, duration, user, flags. */
export function timelineLine(
  call: Record<string, unknown>,
  style = styleFor(process.stdout),
  /** `--both-sides`: say which side of an MCP call wrote the record. */
  showSide = false,
): string {
  const ok = call.success === true;
  const outcome = ok
    ? call.result
    : { success: false, error: (call.error as { message?: string } | null)?.message };
  const flags = [
    call.trigger && call.trigger !== 'user_request' ? printable(String(call.trigger)) : '',
    call.emergency === true ? 'EMERGENCY' : '',
  ].filter(Boolean);
  const side = mcpSide(call);
  return (
    `[Turn ${call.turn ?? '?'}] ${ok ? '✅' : '❌'} ${style.bold(printable(String(call.tool)))}(${JSON.stringify(call.args)}) ` +
    `→ ${JSON.stringify(outcome)} [${formatDuration(call.duration_ms)}]` +
    (call.user ? style.dim(` by ${printable(String(call.user))}`) : '') +
    (flags.length > 0 ? style.warn(` (${flags.join(', ')})`) : '') +
    (showSide && side ? style.dim(` [mcp ${side} side]`) : '')
  );
}

function formatDuration(value: unknown): string {
  const millis = typeof value === 'number' ? value : Number.NaN;
  if (Number.isNaN(millis)) return '?ms';
  return millis >= 100 ? `${Math.round(millis)}ms` : `${Number(millis.toFixed(2))}ms`;
}
