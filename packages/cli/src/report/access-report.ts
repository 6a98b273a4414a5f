import type { VerifyProblem, VerifyReport } from '@tooltrail/core';
import type { OnMalformed, RecordSource } from '../sources/record-source.js';
import { verifyRecordSource } from '../sources/verify-source.js';
import { byTime } from './format.js';
import { oneRecordPerCall } from './one-record-per-call.js';

/** One access to the subject (the seed's access row plus emergency and chain position). */
export interface AccessRow {
  timestamp: string;
  accessed_by: string | null;
  role: string | null;
  tool: string | null;
  purpose: string | null;
  success: boolean;
  emergency: boolean;
  emergency_reason: string | null;
  conversation: string | null;
  chain: string | null;
  seq: number | null;
}

/** The integrity verdict for the chains the report's records belong to. */
export interface IntegrityVerdict {
  status: 'intact' | 'tampered' | 'not_verifiable' | 'no_records';
  message: string;
  chains: string[];
  records: number;
  checkpoints: number;
  problems: VerifyProblem[];
  warnings: VerifyProblem[];
}

export interface AccessReport {
  subject: string;
  report_period: { start: string; end: string };
  generated_at: string;
  /** The seed's boolean, true only when every chain the report relies on verified intact. */
  integrity_verified: boolean;
  integrity: IntegrityVerdict;
  total_accesses: number;
  unique_users: number;
  emergency_accesses: number;
  failed_accesses: number;
  users: Array<{ user: string | null; accesses: number; emergency: number; failed: number }>;
  /** Emergency accesses first, then by time. */
  accesses: AccessRow[];
}

const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** Reads the subject's accesses in [from, to] from the sources and verifies the chains they come from. */
export async function buildAccessReport(options: {
  source: RecordSource;
  onMalformed: OnMalformed;
  subject: string;
  fromMillis: number;
  toMillis: number;
  publicKeys?: string[];
  now?: Date;
}): Promise<AccessReport> {
  const hints = {
    toolCallsOnly: true,
    subject: options.subject,
    since: options.fromMillis,
    until: options.toMillis,
  };
  const records: Array<Record<string, unknown>> = [];
  for await (const { record } of options.source.records(hints, options.onMalformed)) records.push(record);
  records.sort(byTime);
  const accesses: AccessRow[] = oneRecordPerCall(records).map((record) => ({
    timestamp: String(record.ts),
    accessed_by: text(record.user),
    role: text(record.role),
    tool: text(record.tool),
    purpose: text(record.purpose),
    success: record.success === true,
    emergency: record.emergency === true,
    emergency_reason: text(record.emergency_reason),
    conversation: text(record.conversation),
    chain: text(record.chain),
    seq: typeof record.seq === 'number' ? record.seq : null,
  }));
  accesses.sort((a, b) => Number(b.emergency) - Number(a.emergency));
  const users = new Map<string | null, { accesses: number; emergency: number; failed: number }>();
  for (const access of accesses) {
    const entry = users.get(access.accessed_by) ?? { accesses: 0, emergency: 0, failed: 0 };
    entry.accesses++;
    if (access.emergency) entry.emergency++;
    if (!access.success) entry.failed++;
    users.set(access.accessed_by, entry);
  }
  // Every chain a matching record lives in is verified, including the other side of a call counted once.
  const integrity = await integrityOf(
    options.source,
    records.map((record) => text(record.chain)),
    options,
  );
  return {
    subject: options.subject,
    report_period: {
      start: new Date(options.fromMillis).toISOString(),
      end: new Date(options.toMillis).toISOString(),
    },
    generated_at: (options.now ?? new Date()).toISOString(),
    integrity_verified: integrity.status === 'intact',
    integrity,
    total_accesses: accesses.length,
    unique_users: users.size,
    emergency_accesses: accesses.filter((access) => access.emergency).length,
    failed_accesses: accesses.filter((access) => !access.success).length,
    users: [...users]
      .map(([user, entry]) => ({ user, ...entry }))
      .sort((a, b) => b.accesses - a.accesses || String(a.user).localeCompare(String(b.user))),
    accesses,
  };
}

async function integrityOf(
  source: RecordSource,
  recordChains: Array<string | null>,
  options: { publicKeys?: string[]; onMalformed: OnMalformed },
): Promise<IntegrityVerdict> {
  const chains = new Set(recordChains.filter((chain): chain is string => chain !== null));
  const base = { chains: [...chains].sort(), records: 0, checkpoints: 0, problems: [], warnings: [] };
  if (recordChains.length === 0)
    return { ...base, status: 'no_records', message: 'no records in the period: nothing to verify' };
  const full = await verifyRecordSource(source, {
    publicKeys: options.publicKeys,
    onMalformed: options.onMalformed,
  });
  if (!full) {
    return {
      ...base,
      status: 'not_verifiable',
      message: `NOT VERIFIED: ${source.label} holds spans, not the hashed audit records`,
    };
  }
  const report = restrictToChains(full, chains);
  const ok = report.problems.length === 0;
  return {
    ...base,
    status: ok ? 'intact' : 'tampered',
    message: ok
      ? `intact: ${report.records} records in ${chains.size} chain(s) verified, ${report.checkpoints} checkpoint(s)` +
        (report.warnings.length > 0
          ? ` (${report.warnings.length} warning(s): ${[...new Set(report.warnings.map((w) => w.kind))].join(', ')})`
          : '')
      : `INTEGRITY FAILURE: ${report.problems.length} problem(s) in the chains this report relies on; do not rely on it`,
    records: report.records,
    checkpoints: report.checkpoints,
    problems: report.problems,
    warnings: report.warnings,
  };
}

/** The verifier's findings for the report's chains only (other chains in the same trail are not its concern). */
function restrictToChains(report: VerifyReport, chains: ReadonlySet<string>): VerifyReport {
  const keep = (problem: { chain: string | null }) => problem.chain === null || chains.has(problem.chain);
  const kept = report.chains.filter((chain) => chains.has(chain.chain));
  const problems = report.problems.filter(keep);
  return {
    ...report,
    ok: problems.length === 0,
    records: kept.reduce((sum, chain) => sum + chain.records, 0),
    checkpoints: kept.reduce((sum, chain) => sum + chain.checkpoints, 0),
    chains: kept,
    problems,
    warnings: report.warnings.filter(keep),
  };
}
