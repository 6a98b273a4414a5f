import { parseArgs } from 'node:util';
import { styleFor } from '../output/style.js';
import { openSource } from '../sources/open-source.js';
import { UsageError } from '../usage-error.js';
import { malformedReporter, SOURCE_HELP, SOURCE_OPTIONS } from './common-options.js';

export const TIMELINE_USAGE = `usage: tooltrail timeline <conversation-id> [<dir-or-file>...] [--source SPEC]... [--json]

The tool calls of one conversation in time order (the seed's conversation_timeline):
  [Turn 1] ✅ tool({redacted args}) → {result summary} [duration]
${SOURCE_HELP}
Exit status: 0 (also when the conversation has no calls: a message on stderr), 2 usage or I/O error.`;

/** `tooltrail timeline`: returns the exit code. */
export async function timelineCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: SOURCE_OPTIONS,
  });
  const [conversation, ...paths] = positionals;
  if (!conversation) throw new UsageError('timeline needs a conversation id');
  const source = openSource([...paths, ...(values.source ?? [])]);
  const calls: Array<Record<string, unknown>> = [];
  // Only one conversation's calls are held: the filter is pushed down to the source.
  for await (const { record } of source.records({ conversation, toolCallsOnly: true }, malformedReporter()))
    calls.push(record);
  calls.sort(
    (a, b) =>
      String(a.ts).localeCompare(String(b.ts)) ||
      String(a.chain).localeCompare(String(b.chain)) ||
      Number(a.seq) - Number(b.seq),
  );
  if (values.json) {
    process.stdout.write(`${JSON.stringify(calls, null, 2)}\n`);
    return 0;
  }
  if (calls.length === 0) {
    process.stderr.write(`no tool calls found for conversation ${conversation} in ${source.label}\n`);
    return 0;
  }
  const style = styleFor(process.stdout);
  for (const call of calls) process.stdout.write(`${timelineLine(call, style)}\n`);
  return 0;
}

/** One seed-style timeline line. */
export function timelineLine(call: Record<string, unknown>, style = styleFor(process.stdout)): string {
  const ok = call.success === true;
  const outcome = ok
    ? call.result
    : { success: false, error: (call.error as { message?: string } | null)?.message };
  const flags = [
    call.trigger && call.trigger !== 'user_request' ? String(call.trigger) : '',
    call.emergency === true ? 'EMERGENCY' : '',
  ].filter(Boolean);
  return (
    `[Turn ${call.turn ?? '?'}] ${ok ? '✅' : '❌'} ${style.bold(String(call.tool))}(${JSON.stringify(call.args)}) ` +
    `→ ${JSON.stringify(outcome)} [${formatDuration(call.duration_ms)}]` +
    (call.user ? style.dim(` by ${call.user}`) : '') +
    (flags.length > 0 ? style.warn(` (${flags.join(', ')})`) : '')
  );
}

function formatDuration(value: unknown): string {
  const millis = typeof value === 'number' ? value : Number.NaN;
  if (Number.isNaN(millis)) return '?ms';
  return millis >= 100 ? `${Math.round(millis)}ms` : `${Number(millis.toFixed(2))}ms`;
}
