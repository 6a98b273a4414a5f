import type { AccessReport } from './access-report.js';

const escapeCell = (value: unknown): string =>
  value === null || value === undefined ? '-' : String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The access report as Markdown: integrity verdict first (a failure as a warning block), then the tables. */
export function renderAccessMarkdown(report: AccessReport): string {
  const out: string[] = [];
  const integrity = report.integrity;
  if (integrity.status === 'intact') {
    out.push(`> **✔ ${integrity.message}**`, '>', `> checked: ${integrity.checked}`, '');
  } else {
    out.push(`> **⚠ ${integrity.message}**`, '>', `> checked: ${integrity.checked}`);
    for (const problem of integrity.problems)
      out.push(
        `> - \`${problem.kind}\` chain ${problem.chain ?? '-'} seq ${problem.seq ?? '-'}: ${escapeCell(problem.message)}`,
      );
    out.push('');
  }
  out.push(`# Access report: ${report.subject}`, '');
  out.push(`- Period: ${report.report_period.start} – ${report.report_period.end}`);
  out.push(`- Generated: ${report.generated_at}`);
  out.push(`- Integrity: ${integrity.status === 'intact' ? '✔ ' : ''}${integrity.message}`);
  out.push(`- Total accesses: ${report.total_accesses}`);
  out.push(`- Unique users: ${report.unique_users}`);
  out.push(`- Emergency (break-the-glass) accesses: ${report.emergency_accesses}`);
  out.push(`- Failed accesses: ${report.failed_accesses}`, '');
  out.push('## Users', '', '| user | accesses | emergency | failed |', '|---|---:|---:|---:|');
  for (const user of report.users)
    out.push(`| ${escapeCell(user.user)} | ${user.accesses} | ${user.emergency} | ${user.failed} |`);
  out.push('', '## Accesses (emergency first, then by time)', '');
  out.push(
    '| when (UTC) | user | role | tool | purpose | success | emergency |',
    '|---|---|---|---|---|---|---|',
  );
  for (const access of report.accesses) {
    const emergency = access.emergency
      ? `**YES**${access.emergency_reason ? `: ${escapeCell(access.emergency_reason)}` : ''}`
      : 'no';
    const when = access.protected ? access.timestamp : `${access.timestamp} **⚠ UNPROTECTED**`;
    out.push(
      `| ${when} | ${escapeCell(access.accessed_by)} | ${escapeCell(access.role)} | ${escapeCell(access.tool)} | ` +
        `${escapeCell(access.purpose)} | ${access.success ? 'yes' : '**no**'} | ${emergency} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
