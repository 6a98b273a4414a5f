import { parseArgs } from 'node:util';
import { parseDateRange } from '../fhir/dates.js';
import { alignColumns, styleFor } from '../output/style.js';
import { byTime, cell, formatMillis } from '../report/format.js';
import { isProtected, printIntegrityLine } from '../report/integrity.js';
import { bothSides, mcpSide, pairCalls, type ToolCall } from '../report/one-record-per-call.js';
import { openSource } from '../sources/open-source.js';
import type { RecordFilter } from '../sources/record-source.js';
import { UsageError } from '../usage-error.js';
import { malformedReporter, SOURCE_HELP, SOURCE_USAGE } from './common-options.js';
import { subjectPseudonymFromEnv } from './subject-pseudonym.js';
import { trustFrom, VIEW_TRUST_HELP, VIEW_TRUST_OPTIONS, VIEW_TRUST_USAGE } from './trust-options.js';

/** The flags `tooltrail query` accepts (its usage line names each one). */
export const QUERY_OPTIONS = {
  ...VIEW_TRUST_OPTIONS,
  conversation: { type: 'string' },
  user: { type: 'string' },
  tool: { type: 'string' },
  subject: { type: 'string' },
  failures: { type: 'boolean', default: false },
  since: { type: 'string' },
  until: { type: 'string' },
  source: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  'both-sides': { type: 'boolean', default: false },
} as const;

export const QUERY_USAGE = `usage: tooltrail query [<dir-or-file>...] [--conversation ID] [--user ID] [--tool NAME] [--subject S] [--failures] [--since DATE] [--until DATE] [--both-sides] ${SOURCE_USAGE} [--json] ${VIEW_TRUST_USAGE}

Tool calls matching every filter given (at least one), newest last: one entry per call. An MCP call audited
on both sides (client and server records) is listed once, as its client-side record.
  --conversation ID   calls of this conversation
  --user ID           calls by this user
  --tool NAME         calls of this tool
  --subject S         patient:P-1, or a bare P-1 for any kind
                      (its keyed pseudonym too, with a pseudonym key in the environment)
  --failures          only failed calls
  --since/--until     YYYY-MM-DD (UTC; --until includes the whole day) or RFC 3339 with a zone
  --both-sides        list every record: the server side of an MCP call right after its client side
${SOURCE_HELP}
${VIEW_TRUST_HELP}
Exit status: 0 (also when nothing matches), 2 usage or I/O error.`;

/** `tooltrail query`: returns the exit code. */
export async function queryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: QUERY_OPTIONS,
  });
  const range = parseDateRange(['--since', values.since], ['--until', values.until]);
  const filter: RecordFilter = {
    toolCallsOnly: true,
    failures: values.failures,
    conversation: values.conversation,
    user: values.user,
    tool: values.tool,
    subject: values.subject,
    subjectPseudonym: values.subject === undefined ? undefined : subjectPseudonymFromEnv(values.subject),
    since: range.from,
    until: range.to,
  };
  const filters = [values.conversation, values.user, values.tool, values.subject, values.since, values.until];
  if (!values.failures && filters.every((value) => value === undefined))
    throw new UsageError(
      'at least one filter is required: --conversation, --user, --tool, --subject, --failures, --since or --until',
    );
  const trust = trustFrom(values);
  const source = openSource([...positionals, ...(values.source ?? [])]);
  const onMalformed = malformedReporter();
  const records: Array<Record<string, unknown>> = [];
  for await (const { record } of source.records(filter, onMalformed)) records.push(record);
  const integrity = await printIntegrityLine(source, values, trust, onMalformed);
  records.sort(byTime);
  const calls = pairCalls(records);
  const both = values['both-sides'];
  const listed: Array<{ record: Record<string, unknown>; call: ToolCall }> = both
    ? calls.flatMap((call) => bothSides([call]).map((record) => ({ record, call })))
    : calls.map((call) => ({ record: call.record, call }));
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        listed.map((row) => row.record),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const style = styleFor(process.stdout);
  const rows = listed.map(({ record, call }) => [
    String(record.ts) +
      (integrity && !isProtected(integrity, record.chain, record.seq) ? ` ${style.bad('UNPROTECTED')}` : ''),
    record.success === true ? style.ok('ok') : style.bad('FAILED'),
    style.bold(cell(record.tool)),
    `${cell(record.user)} (${cell(record.role)})`,
    `${cell(record.conversation)}#${cell(record.turn)}`,
    cell(record.subject),
    formatMillis(record.duration_ms),
    [
      record.emergency === true ? style.warn('EMERGENCY') : '',
      record.trigger && record.trigger !== 'user_request' ? String(record.trigger) : '',
      mcpNote(record, call, both),
      record.success === false ? cell((record.error as { message?: string } | null)?.message) : '',
    ]
      .filter(Boolean)
      .join(' '),
  ]);
  const header = [
    'time',
    'outcome',
    'tool',
    'user (role)',
    'conversation#turn',
    'subject',
    'duration',
    'notes',
  ];
  const lines = rows.length > 0 ? alignColumns([header, ...rows]) : [];
  if (lines.length > 0) lines[0] = style.dim(lines[0]!);
  const folded = calls.filter((call) => call.serverSide).length;
  lines.push(
    style.dim(
      both
        ? `${listed.length} record(s) from ${calls.length} call(s)`
        : `${calls.length} call(s)${folded > 0 ? ` (${folded} server-side record(s) of the same calls not listed: --both-sides)` : ''}`,
    ),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `mcp <server> (both sides)` for a call; `mcp client side` / `mcp server side` for each record of one. */
function mcpNote(record: Record<string, unknown>, call: ToolCall, both: boolean): string {
  const side = mcpSide(record);
  if (side === undefined) return '';
  if (both) return `mcp ${side} side`;
  const peer = side === 'client' ? `mcp ${cell(record.mcp_server)}` : `mcp from ${cell(record.mcp_client)}`;
  return call.serverSide ? `${peer} (both sides)` : `${peer} (${side} side only)`;
}
