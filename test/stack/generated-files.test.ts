import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { renderAll } from '../../grafana/src/render/render-all.js';
import { repoRoot } from '../collector/support/collector.js';

// Dashboards, rule files and Grafana alert rules are generated from grafana/src; the committed copies are what
// Grafana, Prometheus and Loki load, so they must be exactly what the code renders.
it.each([...renderAll()])(
  '%s matches what grafana/src generates (pnpm grafana:generate)',
  (path, content) => {
    expect(readFileSync(join(repoRoot, path), 'utf8')).toBe(content);
  },
);

it('generates the four dashboards with unique uids', () => {
  const boards = [...renderAll()].filter(([path]) => path.startsWith('grafana/dashboards/'));
  expect(boards.map(([path]) => path).sort()).toEqual([
    'grafana/dashboards/audit-integrity.json',
    'grafana/dashboards/conversation-timeline.json',
    'grafana/dashboards/subject-access.json',
    'grafana/dashboards/tool-calls-overview.json',
  ]);
  const uids = boards.map(([, content]) => (JSON.parse(content) as { uid: string }).uid);
  expect(new Set(uids).size).toBe(4);
});
