import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { VerifyProblem, VerifyReport } from '@tooltrail/core';
import { alignColumns, styleFor } from '../output/style.js';
import { openSource } from '../sources/open-source.js';
import { verifyRecordSource } from '../sources/verify-source.js';
import { InputError } from '../usage-error.js';
import { SOURCE_HELP, SOURCE_OPTIONS } from './common-options.js';

export const VERIFY_USAGE = `usage: tooltrail verify [<dir-or-file>...] [--source SPEC]... [--public-key FILE]... [--unordered] [--json]

Verifies hashes, links, sequence and checkpoint signatures of every chain.
  --public-key FILE   pin a checkpoint key (SPKI PEM or raw base64); repeatable
  --unordered         the files are not in stored order (exports by time): sort each chain by seq
${SOURCE_HELP}
The archive and Loki deliver records by arrival or time: each chain is sorted by seq before checking.
Tempo holds spans, not the hashed records: it cannot be verified (exit 2).
Exit status: 0 intact, 1 problems found, 2 usage or I/O error.`;

/** `tooltrail verify`: returns the exit code. */
export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...SOURCE_OPTIONS,
      'public-key': { type: 'string', multiple: true },
      unordered: { type: 'boolean', default: false },
    },
  });
  const publicKeys = (values['public-key'] ?? []).map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new InputError(`cannot read public key ${file}: ${(error as Error).message}`);
    }
  });
  const source = openSource([...positionals, ...(values.source ?? [])]);
  const progress = progressBar();
  let report: VerifyReport | undefined;
  try {
    report = await verifyRecordSource(source, {
      publicKeys,
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
  else printReport(report);
  return report.ok ? 0 : 1;
}

function printReport(report: VerifyReport): void {
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
    `${report.ok ? style.ok('✔ intact') : style.bad('✘ TAMPERED OR DAMAGED')}: ${report.records} records, ` +
      `${report.chains.length} chain(s), ${report.checkpoints} checkpoint(s), ` +
      `${report.problems.length} problem(s)${kinds ? ` (${kinds})` : ''}`,
  );
  for (const chain of report.chains) {
    out.push(
      style.dim(
        `  chain ${chain.chain}: seq ${chain.firstSeq}..${chain.lastSeq}, ${chain.checkpoints} checkpoint(s)` +
          `${chain.final ? ', final' : ''}${chain.unsigned > 0 ? `, ${chain.unsigned} unsigned` : ''}`,
      ),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
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
