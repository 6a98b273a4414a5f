import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type FhirAction, toAuditEvent, toBundle } from '../fhir/audit-event.js';
import { parseDateFlag } from '../fhir/dates.js';
import { pairCalls } from '../report/one-record-per-call.js';
import { openSource } from '../sources/open-source.js';
import { InputError, UsageError } from '../usage-error.js';
import { malformedReporter } from './common-options.js';

export const EXPORT_FHIR_USAGE = `usage: tooltrail export fhir [--subject S] [--from DATE] [--to DATE] [--source PATH]... [--out FILE]

FHIR R4 Bundle (type collection) of AuditEvent resources, one per tool call (mapping: docs/fhir-mapping.md).
An MCP call audited on both sides is one AuditEvent: the client's record, the MCP server as an agent, and the
server's record as a second entity.
  --subject S          only calls on this subject (patient:P-1 or the bare id P-1)
  --from, --to DATE    YYYY-MM-DD (UTC; --to includes that day) or RFC 3339 with a zone
  --source SPEC        trail dir or file (repeatable), archive:<path>, loki+http://…, tempo+http://…
                       (default $TOOLTRAIL_SOURCE, $TOOLTRAIL_DIR, else .tooltrail)
  --out FILE           write the bundle there instead of stdout
  --action TOOL=CODE   override the action of a tool (C, R, U, D or E); repeatable
  --observer NAME      source.observer display, e.g. the service name (default $OTEL_SERVICE_NAME, else tooltrail)
Exit status: 0 written, 2 usage or I/O error.`;

/** `tooltrail export <format>`: only fhir today. */
export async function exportCommand(argv: string[]): Promise<number> {
  const [format, ...rest] = argv;
  if (format !== 'fhir')
    throw new UsageError(`unknown export format ${JSON.stringify(format ?? '')}: use fhir`);
  return exportFhirCommand(rest);
}

export async function exportFhirCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      subject: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      source: { type: 'string', multiple: true },
      out: { type: 'string' },
      action: { type: 'string', multiple: true },
      observer: { type: 'string' },
    },
  });
  const from = values.from === undefined ? undefined : parseDateFlag('--from', values.from);
  const to = values.to === undefined ? undefined : parseDateFlag('--to', values.to, true);
  if (from !== undefined && to !== undefined && from > to) throw new UsageError('--from is after --to');
  const actions: Record<string, FhirAction> = {};
  for (const item of values.action ?? []) {
    const match = /^([^=]+)=([CRUDE])$/.exec(item);
    if (!match) throw new UsageError(`--action ${JSON.stringify(item)}: expected TOOL=C|R|U|D|E`);
    actions[match[1] as string] = match[2] as FhirAction;
  }
  const source = openSource([...(values.source ?? []), ...positionals]);
  const observer = values.observer ?? process.env.OTEL_SERVICE_NAME ?? 'tooltrail';
  const filter = { subject: values.subject, since: from, until: to, toolCallsOnly: true };
  const records: Array<Record<string, unknown>> = [];
  for await (const { record } of source.records(filter, malformedReporter())) records.push(record);
  const events = pairCalls(records).map((call) =>
    toAuditEvent(call.record, { actions, observer }, call.serverSide),
  );
  events.sort((a, b) => String(a.recorded).localeCompare(String(b.recorded)));
  const text = `${JSON.stringify(toBundle(events, new Date().toISOString()), null, 2)}\n`;
  if (values.out) {
    try {
      writeFileSync(values.out, text, { mode: 0o600 });
    } catch (error) {
      throw new InputError(`cannot write ${values.out}: ${(error as Error).message}`);
    }
    process.stderr.write(`wrote ${events.length} AuditEvent(s) to ${values.out}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
