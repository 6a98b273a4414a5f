import type { AccessRow } from './access-report.js';

const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
];
const DAY = 86_400_000;

export const escapeXml = (value: unknown): string =>
  String(value ?? '-').replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/**
 * Accesses per day, stacked by user, as an inline SVG (no script, no network). Days run from the first to the last
 * access; users past the eighth share one colour. Each bar segment has a `<title>` (day, user, count).
 */
export function accessesPerDaySvg(accesses: AccessRow[]): string {
  const width = 960;
  const height = 260;
  const margin = { top: 16, right: 16, bottom: 40, left: 40 };
  if (accesses.length === 0)
    return `<svg class="tt-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="40" role="img" aria-label="no accesses"><text x="8" y="24">No accesses in the period.</text></svg>`;
  const dayOf = (timestamp: string) => Math.floor(Date.parse(timestamp) / DAY);
  const days = accesses.map((access) => dayOf(access.timestamp));
  const first = Math.min(...days);
  const last = Math.max(...days);
  const users = [...new Set(accesses.map((access) => access.accessed_by ?? '(unknown)'))].sort();
  const counts = new Map<number, Map<string, number>>();
  for (const access of accesses) {
    const day = dayOf(access.timestamp);
    const perUser = counts.get(day) ?? new Map<string, number>();
    const user = access.accessed_by ?? '(unknown)';
    perUser.set(user, (perUser.get(user) ?? 0) + 1);
    counts.set(day, perUser);
  }
  const max = Math.max(
    ...[...counts.values()].map((perUser) => [...perUser.values()].reduce((a, b) => a + b, 0)),
  );
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const slot = plotWidth / (last - first + 1);
  const barWidth = Math.max(1, slot * 0.8);
  const colour = (user: string) => PALETTE[Math.min(users.indexOf(user), PALETTE.length - 1)]!;
  const parts: string[] = [];
  for (const [day, perUser] of [...counts].sort(([a], [b]) => a - b)) {
    let stacked = 0;
    const x = margin.left + (day - first) * slot + (slot - barWidth) / 2;
    const date = new Date(day * DAY).toISOString().slice(0, 10);
    for (const user of users) {
      const count = perUser.get(user);
      if (!count) continue;
      const barHeight = (count / max) * plotHeight;
      const y = margin.top + plotHeight - stacked - barHeight;
      stacked += barHeight;
      parts.push(
        `<rect class="tt-bar" data-day="${date}" data-user="${escapeXml(user)}" data-count="${count}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${colour(user)}"><title>${date} ${escapeXml(user)}: ${count}</title></rect>`,
      );
    }
  }
  const axis = [
    `<line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${width - margin.right}" y2="${margin.top + plotHeight}" stroke="#6b7280"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}" stroke="#6b7280"/>`,
    `<text x="${margin.left - 6}" y="${margin.top + 4}" text-anchor="end" font-size="11">${max}</text>`,
    `<text x="${margin.left - 6}" y="${margin.top + plotHeight}" text-anchor="end" font-size="11">0</text>`,
    `<text x="${margin.left}" y="${height - 22}" font-size="11">${new Date(first * DAY).toISOString().slice(0, 10)}</text>`,
    `<text x="${width - margin.right}" y="${height - 22}" text-anchor="end" font-size="11">${new Date(last * DAY).toISOString().slice(0, 10)}</text>`,
  ];
  const legend = users.map((user, index) => {
    const x = margin.left + index * 150;
    return `<g class="tt-legend"><rect x="${x}" y="${height - 12}" width="10" height="10" fill="${colour(user)}"/><text x="${x + 14}" y="${height - 3}" font-size="11">${escapeXml(user)}</text></g>`;
  });
  return (
    `<svg class="tt-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="accesses per day by user">` +
    `${axis.join('')}${parts.join('')}${legend.join('')}</svg>`
  );
}
