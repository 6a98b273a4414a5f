import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDateRange } from '../fhir/dates.js';
import { styleFor } from '../output/style.js';
import { buildAccessReport } from '../report/access-report.js';
import { renderAccessHtml } from '../report/render-access-html.js';
import { renderAccessMarkdown } from '../report/render-access-markdown.js';
import { openSource } from '../sources/open-source.js';
import { InputError, UsageError } from '../usage-error.js';
import { malformedReporter, SOURCE_USAGE } from './common-options.js';
import { subjectPseudonymFromEnv } from './subject-pseudonym.js';
import { TRUST_HELP, TRUST_OPTIONS, TRUST_USAGE, trustFrom } from './trust-options.js';

/** The flags `tooltrail report access` accepts (its usage line names each one). */
export const REPORT_OPTIONS = {
  subject: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string', default: 'md' },
  out: { type: 'string' },
  source: { type: 'string', multiple: true },
  ...TRUST_OPTIONS,
} as const;

export const REPORT_USAGE = `usage: tooltrail report access [<dir-or-file>...] --subject S --from DATE --to DATE [--format md|json|html] [--out FILE] ${SOURCE_USAGE} ${TRUST_USAGE}

Access report for one data subject (md, json or html), with the integrity verdict at the top: every chain
of the source is verified, not only those holding the subject's records, so a deleted record shows.
Who accessed it, when, with which tool, purpose, role, success, emergency (break-the-glass accesses first);
unique users; records no valid checkpoint covers are marked UNPROTECTED. html: one self-contained file
with a per-day chart of accesses by user.
  --subject S         patient:P-1 (or a bare P-1 for any kind)
                      with a pseudonym key in the environment (TOOLTRAIL_PSEUDONYM_KEY or _FILE),
                      records holding the subject's keyed pseudonym (patient:hmac:…) count too
  --from/--to         YYYY-MM-DD (UTC; --to includes the whole day) or RFC 3339 with a zone
  --format            md (default), json or html
  --out FILE          write there (mode 0600) instead of stdout
  --source SPEC       trail, collector archive, loki+http://… (tempo+http://… gives an unverified report)
${TRUST_HELP}
Exit status: 0 report written and intact, 1 integrity problems or not proven (no trusted key, or a source
that cannot be verified), 2 usage or I/O error.`;

/** `tooltrail report access`: returns the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind !== 'access') throw new UsageError(`unknown report ${JSON.stringify(kind ?? '')}: only "access"`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: REPORT_OPTIONS,
  });
  if (!values.subject) throw new UsageError('--subject is required');
  if (!values.from || !values.to) throw new UsageError('--from and --to are required');
  const format = values.format;
  if (format !== 'md' && format !== 'json' && format !== 'html')
    throw new UsageError(`--format must be md, json or html, not ${JSON.stringify(format)}`);
  const range = parseDateRange(['--from', values.from], ['--to', values.to]);
  const fromMillis = range.from as number;
  const toMillis = range.to as number;
  const trust = trustFrom(values);
  const report = await buildAccessReport({
    source: openSource([...positionals, ...(values.source ?? [])]),
    onMalformed: malformedReporter(),
    subject: values.subject,
    subjectPseudonym: subjectPseudonymFromEnv(values.subject),
    fromMillis,
    toMillis,
    trust,
  });
  const body =
    format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : format === 'html'
        ? renderAccessHtml(report)
        : renderAccessMarkdown(report);
  const failed = report.integrity.status !== 'intact';
  if (values.out) {
    try {
      writeFileSync(values.out, body, { mode: 0o600 });
    } catch (error) {
      throw new InputError(`cannot write ${values.out}: ${(error as Error).message}`);
    }
    const style = styleFor(process.stderr);
    process.stderr.write(
      `${failed ? style.bad(`⚠ ${report.integrity.message}`) : style.ok(`✔ ${report.integrity.message}`)}\n` +
        `wrote ${values.out}: ${report.total_accesses} access(es) by ${report.unique_users} user(s)\n`,
    );
  } else {
    process.stdout.write(body);
  }
  return failed ? 1 : 0;
}
