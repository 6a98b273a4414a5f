import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type FhirAction, toAuditEvent, toBundle } from '../fhir/audit-event.js';
import { parseDateRange } from '../fhir/dates.js';
import { styleFor } from '../output/style.js';
import { checkIntegrity, isProtected } from '../report/integrity.js';
import { pairCalls } from '../report/one-record-per-call.js';
import { openSource } from '../sources/open-source.js';
import { InputError, UsageError } from '../usage-error.js';
import { malformedReporter, SOURCE_USAGE } from './common-options.js';
import { subjectPseudonymFromEnv } from './subject-pseudonym.js';
import { TRUST_HELP, TRUST_OPTIONS, TRUST_USAGE, trustFrom } from './trust-options.js';

/** The tag system of the integrity verdict in exported bundles. */
const INTEGRITY_TAG_SYSTEM = 'urn:tooltrail:integrity';

/** The flags `tooltrail export fhir` accepts (its usage line names each one). */
export const EXPORT_FHIR_OPTIONS = {
  subject: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  source: { type: 'string', multiple: true },
  out: { type: 'string' },
  action: { type: 'string', multiple: true },
  observer: { type: 'string' },
  ...TRUST_OPTIONS,
} as const;

export const EXPORT_FHIR_USAGE = `usage: tooltrail export fhir [<dir-or-file>...] [--subject S] [--from DATE] [--to DATE] ${SOURCE_USAGE} [--out FILE] [--action TOOL=CODE]... [--observer NAME] ${TRUST_USAGE}

FHIR R4 Bundle (type collection) of AuditEvent resources, one per tool call (mapping: docs/fhir-mapping.md).
An MCP call audited on both sides is one AuditEvent: the client's record, the MCP server as an agent, and the
server's record as a second entity.
  --subject S         only calls on this subject (patient:P-1 or the bare id P-1)
                      (its keyed pseudonym too, with a pseudonym key in the environment)
  --from, --to DATE   YYYY-MM-DD (UTC; --to includes that day) or RFC 3339 with a zone
  --source SPEC       trail dir or file (repeatable), archive:<path>, loki+http://…, tempo+http://…
                      (default $TOOLTRAIL_SOURCE, $TOOLTRAIL_DIR, else .tooltrail)
  --out FILE          write the bundle there (mode 0600) instead of stdout
  --action TOOL=CODE  override the action of a tool (C, R, U, D or E); repeatable
  --observer NAME     source.observer display, e.g. the service name (default $OTEL_SERVICE_NAME, else tooltrail)
${TRUST_HELP}
Every chain of the source is verified first. The verdict is the Bundle's first tag (meta.tag, system
${INTEGRITY_TAG_SYSTEM}: intact, tampered, unauthenticated or not_verifiable, its message as display) and
is printed on stderr; an AuditEvent whose record no valid checkpoint covers carries the tag "unprotected".
Exit status: 0 written and intact, 1 written but not intact (problems, no trusted key), 2 usage or I/O error.`;

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
    options: EXPORT_FHIR_OPTIONS,
  });
  const { from, to } = parseDateRange(['--from', values.from], ['--to', values.to]);
  const actions: Record<string, FhirAction> = {};
  for (const item of values.action ?? []) {
    const match = /^([^=]+)=([CRUDE])$/.exec(item);
    if (!match) throw new UsageError(`--action ${JSON.stringify(item)}: expected TOOL=C|R|U|D|E`);
    actions[match[1] as string] = match[2] as FhirAction;
  }
  const trust = trustFrom(values);
  const source = openSource([...(values.source ?? []), ...positionals]);
  const observer = values.observer ?? process.env.OTEL_SERVICE_NAME ?? 'tooltrail';
  const filter = {
    subject: values.subject,
    subjectPseudonym: values.subject === undefined ? undefined : subjectPseudonymFromEnv(values.subject),
    since: from,
    until: to,
    toolCallsOnly: true,
  };
  const onMalformed = malformedReporter();
  const records: Array<Record<string, unknown>> = [];
  for await (const { record } of source.records(filter, onMalformed)) records.push(record);
  const integrity = await checkIntegrity(source, trust, onMalformed);
  const events = pairCalls(records).map((call) => {
    const event = toAuditEvent(call.record, { actions, observer }, call.serverSide);
    if (!isProtected(integrity, call.record.chain, call.record.seq))
      event.meta = { tag: [{ system: INTEGRITY_TAG_SYSTEM, code: 'unprotected' }] };
    return event;
  });
  events.sort((a, b) => String(a.recorded).localeCompare(String(b.recorded)));
  const { resourceType, ...bundle } = toBundle(events, new Date().toISOString());
  const tagged = {
    resourceType,
    meta: { tag: [{ system: INTEGRITY_TAG_SYSTEM, code: integrity.status, display: integrity.message }] },
    ...bundle,
  };
  const text = `${JSON.stringify(tagged, null, 2)}\n`;
  const style = styleFor(process.stderr);
  process.stderr.write(
    `${integrity.status === 'intact' ? style.ok(`✔ ${integrity.message}`) : style.bad(`⚠ ${integrity.message}`)}\n`,
  );
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
  return integrity.status === 'intact' ? 0 : 1;
}
