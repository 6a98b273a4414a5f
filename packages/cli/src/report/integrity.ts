import type { VerifyProblem, VerifyReport } from '@tooltrail/core/verify';
import type { Trust } from '../commands/trust-options.js';
import type { OnMalformed, RecordSource } from '../sources/record-source.js';
import { verifyRecordSource } from '../sources/verify-source.js';

/** The integrity verdict every report states first: over every chain of the source, never only the matching ones. */
export interface IntegrityVerdict {
  /** `intact` only with a trusted key and no problem; `unauthenticated`: no problem found, but no trusted key. */
  status: 'intact' | 'tampered' | 'unauthenticated' | 'not_verifiable';
  message: string;
  chains: string[];
  records: number;
  checkpoints: number;
  problems: VerifyProblem[];
  warnings: VerifyProblem[];
  /** What was checked, in words. */
  checked: string;
  /** Per chain: the last protected seq — by a valid checkpoint, or by the witness for a tail it holds (null: none). */
  protected_to: Record<string, number | null>;
}

/**
 * Verifies the whole source — every chain, whether or not it holds a record the report shows, and any chain the
 * witness knows — so that deleting or editing a subject's records shows instead of making a report empty.
 */
export async function checkIntegrity(
  source: RecordSource,
  trust: Trust,
  onMalformed: OnMalformed,
): Promise<IntegrityVerdict> {
  const report = await verifyRecordSource(source, { ...trust, onMalformed });
  if (!report) {
    return {
      status: 'not_verifiable',
      message: `NOT VERIFIED: ${source.label} holds spans, not the hashed audit records`,
      chains: [],
      records: 0,
      checkpoints: 0,
      problems: [],
      warnings: [],
      checked: 'nothing',
      protected_to: {},
    };
  }
  return fromReport(report, source.label);
}

function fromReport(report: VerifyReport, label: string): IntegrityVerdict {
  const status =
    report.verdict === 'intact'
      ? 'intact'
      : report.verdict === 'unauthenticated'
        ? 'unauthenticated'
        : 'tampered';
  const counts = `${report.records} records in ${report.chains.length} chain(s) of ${label}, ${report.checkpoints} checkpoint(s)`;
  const kinds = [...new Set(report.problems.map((problem) => problem.kind))].join(', ');
  const message =
    status === 'intact'
      ? `intact: ${counts} verified with the trusted key${report.witness ? ' and the witness' : ''}${
          report.warnings.length > 0
            ? ` (${report.warnings.length} warning(s): ${[...new Set(report.warnings.map((w) => w.kind))].join(', ')})`
            : ''
        }`
      : status === 'unauthenticated'
        ? `NOT PROVEN: no trusted key (pin one with --public-key or TOOLTRAIL_PUBLIC_KEY_FILE); ${counts}, no problem found by an unauthenticated check`
        : `INTEGRITY FAILURE: ${report.problems.length} problem(s) (${kinds}) in ${label}; do not rely on this report`;
  return {
    status,
    message,
    chains: report.chains.map((chain) => chain.chain),
    records: report.records,
    checkpoints: report.checkpoints,
    problems: report.problems,
    warnings: report.warnings,
    checked: report.checked,
    // A chain with nothing unprotected is covered to its end (its tail by the witness, when one was given).
    protected_to: Object.fromEntries(
      report.chains.map((chain) => [
        chain.chain,
        chain.unprotected === 0 ? chain.lastSeq : chain.protectedTo,
      ]),
    ),
  };
}

/** Whether a valid checkpoint covers this record (false for records in an unprotected tail, or unknown chains). */
export function isProtected(verdict: IntegrityVerdict, chain: unknown, seq: unknown): boolean {
  if (typeof chain !== 'string' || typeof seq !== 'number') return false;
  const to = verdict.protected_to[chain];
  return to !== null && to !== undefined && seq <= to;
}

/** One line for views that list records (query, timeline). */
export function integrityLine(verdict: IntegrityVerdict): string {
  return `integrity: ${verdict.message}`;
}

/**
 * The integrity line of a view (query, timeline), unless `--no-verify`, on stderr (stdout stays the rows, for
 * pipes). Forged or unprotected rows are then never shown without a word about integrity.
 */
export async function printIntegrityLine(
  source: RecordSource,
  values: { 'no-verify'?: boolean },
  trust: Trust,
  onMalformed: OnMalformed,
): Promise<IntegrityVerdict | undefined> {
  if (values['no-verify']) return undefined;
  const verdict = await checkIntegrity(source, trust, onMalformed);
  const line = `${verdict.status === 'intact' ? '✔' : '⚠'} ${integrityLine(verdict)}\n`;
  process.stderr.write(line);
  return verdict;
}
