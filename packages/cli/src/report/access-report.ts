import type { Trust } from '../commands/trust-options.js';
import type { OnMalformed, RecordSource } from '../sources/record-source.js';
import { byTime } from './format.js';
import { checkIntegrity, type IntegrityVerdict, isProtected } from './integrity.js';
import { oneRecordPerCall } from './one-record-per-call.js';

/** One access to the subject: who, when, which tool, purpose, outcome, emergency and chain position. */
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
  /** False for a record no valid checkpoint covers (an unprotected tail): anyone could have written it. */
  protected: boolean;
}

export interface AccessReport {
  /** Stated first: the verdict over every chain of the source. */
  integrity: IntegrityVerdict;
  subject: string;
  report_period: { start: string; end: string };
  generated_at: string;
  /** True only when the whole source verified intact with a trusted key. */
  integrity_verified: boolean;
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
  /** The subject's keyed pseudonym: records holding it count too. */
  subjectPseudonym?: string;
  fromMillis: number;
  toMillis: number;
  trust?: Trust;
  now?: Date;
}): Promise<AccessReport> {
  const hints = {
    toolCallsOnly: true,
    subject: options.subject,
    subjectPseudonym: options.subjectPseudonym,
    since: options.fromMillis,
    until: options.toMillis,
  };
  const records: Array<Record<string, unknown>> = [];
  for await (const { record } of options.source.records(hints, options.onMalformed)) records.push(record);
  records.sort(byTime);
  // Every chain of the source, not only those holding a matching record: a deleted record must show.
  const integrity = await checkIntegrity(options.source, options.trust ?? {}, options.onMalformed);
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
    protected: isProtected(integrity, record.chain, record.seq),
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
  return {
    integrity,
    subject: options.subject,
    report_period: {
      start: new Date(options.fromMillis).toISOString(),
      end: new Date(options.toMillis).toISOString(),
    },
    generated_at: (options.now ?? new Date()).toISOString(),
    integrity_verified: integrity.status === 'intact',
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
