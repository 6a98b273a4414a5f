import type { AccessReport } from './access-report.js';
import { accessesPerDaySvg, escapeXml } from './day-chart-svg.js';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:24px 0 8px}
.tt-integrity{padding:10px 14px;border-radius:6px;margin-bottom:16px;font-weight:600}
.tt-integrity.ok{background:#dcfce7;border:1px solid #16a34a}
.tt-integrity.bad{background:#fee2e2;border:2px solid #dc2626;color:#7f1d1d}
.tt-integrity ul{font-weight:400;margin:6px 0 0}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{color:#6b7280}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left}
th{background:#f9fafb}tr.emergency{background:#fef3c7}td.fail{color:#b91c1c;font-weight:600}`;

/** The access report as one self-contained HTML page: integrity banner, summary, inline SVG chart, table. */
export function renderAccessHtml(report: AccessReport): string {
  const integrity = report.integrity;
  const good = integrity.status === 'intact';
  const problems = integrity.problems
    .map(
      (p) =>
        `<li><code>${escapeXml(p.kind)}</code> chain ${escapeXml(p.chain)} seq ${escapeXml(p.seq)}: ${escapeXml(p.message)}</li>`,
    )
    .join('');
  const rows = report.accesses
    .map(
      (a) =>
        `<tr class="${a.emergency ? 'emergency' : ''}"><td>${escapeXml(a.timestamp)}${a.protected ? '' : ' <strong title="no valid checkpoint covers this record">⚠ UNPROTECTED</strong>'}</td><td>${escapeXml(a.accessed_by)}</td>` +
        `<td>${escapeXml(a.role)}</td><td>${escapeXml(a.tool)}</td><td>${escapeXml(a.purpose)}</td>` +
        `<td class="${a.success ? '' : 'fail'}">${a.success ? 'yes' : 'no'}</td>` +
        `<td>${a.emergency ? `YES${a.emergency_reason ? `: ${escapeXml(a.emergency_reason)}` : ''}` : 'no'}</td></tr>`,
    )
    .join('\n');
  const users = report.users
    .map(
      (u) =>
        `<tr><td>${escapeXml(u.user)}</td><td>${u.accesses}</td><td>${u.emergency}</td><td>${u.failed}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Access report: ${escapeXml(report.subject)}</title><style>${CSS}</style></head>
<body>
<div id="integrity" class="tt-integrity ${good ? 'ok' : 'bad'}">${good ? '✔' : '⚠'} ${escapeXml(integrity.message)}<br><small>checked: ${escapeXml(integrity.checked)}</small>${problems ? `<ul>${problems}</ul>` : ''}</div>
<h1>Access report: ${escapeXml(report.subject)}</h1>
<dl><dt>Period</dt><dd>${escapeXml(report.report_period.start)} – ${escapeXml(report.report_period.end)}</dd>
<dt>Generated</dt><dd>${escapeXml(report.generated_at)}</dd>
<dt>Total accesses</dt><dd id="total">${report.total_accesses}</dd>
<dt>Unique users</dt><dd id="unique-users">${report.unique_users}</dd>
<dt>Emergency accesses</dt><dd>${report.emergency_accesses}</dd>
<dt>Failed accesses</dt><dd>${report.failed_accesses}</dd></dl>
<h2>Accesses per day, by user</h2>
${accessesPerDaySvg([...report.accesses])}
<h2>Users</h2>
<table><thead><tr><th>user</th><th>accesses</th><th>emergency</th><th>failed</th></tr></thead><tbody>${users}</tbody></table>
<h2>Accesses (emergency first, then by time)</h2>
<table id="accesses"><thead><tr><th>when (UTC)</th><th>user</th><th>role</th><th>tool</th><th>purpose</th><th>success</th><th>emergency</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
