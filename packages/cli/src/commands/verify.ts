import { parseArgs } from 'node:util';
import type { VerifyProblem, VerifyReport } from '@tooltrail/core/verify';
import { alignColumns, styleFor } from '../output/style.js';
import { openSource } from '../sources/open-source.js';
import { verifyRecordSource } from '../sources/verify-source.js';
import { InputError } from '../usage-error.js';
import { SOURCE_HELP, SOURCE_OPTIONS, SOURCE_USAGE } from './common-options.js';
import { TRUST_HELP, TRUST_OPTIONS, TRUST_USAGE, trustFrom } from './trust-options.js';

/** The flags `tooltrail verify` accepts (its usage line names each one). */
export const VERIFY_OPTIONS = {
  ...SOURCE_OPTIONS,
  ...TRUST_OPTIONS,
  unordered: { type: 'boolean', default: false },
} as const;

export const VERIFY_USAGE = `usage: tooltrail verify [<dir-or-file>...] ${SOURCE_USAGE} ${TRUST_USAGE} [--unordered] [--json]

Verifies every chain: hashes, links, seq, canonical bytes, checkpoint signatures, the signed genesis at
seq 0 and the final checkpoint at the end. "intact" needs a trusted key; a witness also catches rollbacks
and deleted chains (see docs/verification.md).
${TRUST_HELP}
  --unordered         the files are not in stored order (exports by time): sort each chain by seq
${SOURCE_HELP}
The archive and Loki deliver records by arrival or time: each chain is sorted by seq before checking.
Tempo holds spans, not the hashed records: it cannot be verified (exit 2).
Exit status: 0 intact, 1 problems found or not proven (no trusted key), 2 usage or I/O error.`;

/** `tooltrail verify`: returns the exit code. */
export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: VERIFY_OPTIONS,
  });
  const trust = trustFrom(values);
  const source = openSource([...positionals, ...(values.source ?? [])]);
  const progress = progressBar();
  let report: VerifyReport | undefined;
  try {
    report = await verifyRecordSource(source, {
      ...trust,
      unordered: values.unordered,
      onProgress: progress.update,
    });
  } finally {
    progress.done();
  }
  if (!report)
    throw new InputError(
      `${source.label} holds spans, not the hashed audit records: it cannot be verified; verify the local trail, the collector archive or Loki`,
    );
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(report, source.label);
  return report.ok ? 0 : 1;
}

function printReport(report: VerifyReport, label: string): void {
  const style = styleFor(process.stdout);
  const out: string[] = [];
  if (report.problems.length > 0) {
    out.push(style.bad(`${report.problems.length} integrity problem(s):`));
    out.push(...alignColumns(report.problems.map(problemRow)).map((line) => `  ${line}`));
  }
  if (report.warnings.length > 0) {
    out.push(style.warn(`${report.warnings.length} warning(s):`));
    out.push(...alignColumns(report.warnings.map(problemRow)).map((line) => `  ${line}`));
  }
  const byKind = new Map<string, number>();
  for (const problem of report.problems) byKind.set(problem.kind, (byKind.get(problem.kind) ?? 0) + 1);
  const kinds = [...byKind].map(([kind, count]) => `${kind} ${count}`).join(', ');
  out.push(
    `${verdictLabel(report, style)}: ${report.records} records, ` +
      `${report.chains.length} chain(s), ${report.checkpoints} checkpoint(s), ` +
      `${report.problems.length} problem(s)${kinds ? ` (${kinds})` : ''}`,
  );
  out.push(style.dim(`  source: ${label}`));
  out.push(style.dim(`  checked: ${report.checked}`));
  if (report.witness) {
    const w = report.witness;
    out.push(
      style.dim(
        `  witness: ${w.records} record(s) in ${w.chains} chain(s); ${w.witnessed} trail record(s) witnessed, ` +
          `${w.unwitnessed} not (${w.lag} after the witness's newest record: export lag or appended later; ${w.holes} before it)`,
      ),
    );
  }
  for (const chain of report.chains) {
    const protection =
      chain.protectedTo === null ? 'nothing signed' : `protected up to seq ${chain.protectedTo}`;
    out.push(
      style.dim(
        `  chain ${chain.chain}: seq ${chain.firstSeq}..${chain.lastSeq}, ${protection}` +
          `${chain.unprotected > 0 ? `, ${chain.unprotected} unprotected` : ''}` +
          `${chain.final ? ', final' : ', no final checkpoint'}, ${chain.checkpoints} checkpoint(s)`,
      ),
    );
  }
  if (!report.trusted)
    out.push(
      style.warn(
        '  not proven: no trusted key. Pin the public key kept away from the trail: --public-key FILE or TOOLTRAIL_PUBLIC_KEY_FILE',
      ),
    );
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The one-word verdict: only a trusted, problem-free run says intact. */
export function verdictLabel(report: VerifyReport, style: ReturnType<typeof styleFor>): string {
  if (report.verdict === 'intact') return style.ok('✔ intact');
  if (report.verdict === 'unauthenticated') return style.warn('? NOT PROVEN (no trusted key)');
  return style.bad('✘ TAMPERED OR DAMAGED');
}

function problemRow(problem: VerifyProblem): string[] {
  const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ''}` : '';
  return [
    problem.kind,
    `chain ${problem.chain ?? '-'}`,
    `seq ${problem.seq ?? '-'}`,
    problem.message + (where ? `  (${where})` : ''),
  ];
}

/** A progress line on stderr for long runs (TTY only). */
function progressBar(): { update: (records: number) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update: (records) => {
      if (!tty) return;
      shown = true;
      process.stderr.write(`\rverifying… ${records.toLocaleString('en-US')} records`);
    },
    done: () => {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}
