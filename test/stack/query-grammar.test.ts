import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertDefinitions } from '../../grafana/src/alerts/definitions.js';
import { type QueryLanguage, syntaxErrors } from '../../grafana/src/query-grammar.js';
import { dashboards } from '../../grafana/src/render/render-all.js';
import { repoRoot } from '../collector/support/collector.js';

type Query = { where: string; language: QueryLanguage; query: string };
type Target = { expr?: string; query?: string; datasource?: { type?: string } };
type Panel = { title?: string; datasource?: { type?: string }; targets?: Target[] };

const languageOf: Record<string, QueryLanguage> = { prometheus: 'promql', loki: 'logql', tempo: 'traceql' };

function dashboardQueries(): Query[] {
  return Object.entries(dashboards()).flatMap(([file, board]) =>
    ((board.panels ?? []) as Panel[]).flatMap((panel) =>
      (panel.targets ?? []).map((target) => {
        const language = languageOf[target.datasource?.type ?? panel.datasource?.type ?? '']!;
        return { where: `${file} › ${panel.title}`, language, query: target.expr ?? target.query ?? '' };
      }),
    ),
  );
}

function ruleFileQueries(path: string, language: QueryLanguage): Query[] {
  const file = parse(readFileSync(join(repoRoot, path), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };
  return file.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `${path} › ${rule.alert}`, language, query: rule.expr })),
  );
}

function grafanaRuleQueries(): Query[] {
  const path = 'grafana/provisioning/alerting-on/tooltrail-rules.yaml';
  const file = parse(readFileSync(join(repoRoot, path), 'utf8')) as {
    groups: Array<{
      rules: Array<{ title: string; data: Array<{ datasourceUid: string; model: { expr?: string } }> }>;
    }>;
  };
  return file.groups.flatMap((group) =>
    group.rules.flatMap((rule) =>
      rule.data
        .filter((query) => query.model.expr !== undefined)
        .map((query) => ({
          where: `${path} › ${rule.title}`,
          language: (query.datasourceUid === 'tooltrail-loki' ? 'logql' : 'promql') as QueryLanguage,
          query: query.model.expr!,
        })),
    ),
  );
}

type TempoLinks = {
  tracesToLogsV2?: { query?: string };
  tracesToMetrics?: { queries?: Array<{ name: string; query: string }> };
};

/** The LogQL and PromQL the Tempo datasource's span links run (`$$` is the provisioning escape for `$`). */
function datasourceQueries(): Query[] {
  const path = 'grafana/provisioning/datasources/tooltrail.yaml';
  const file = parse(readFileSync(join(repoRoot, path), 'utf8')) as {
    datasources: Array<{ name: string; jsonData?: TempoLinks }>;
  };
  return file.datasources.flatMap((source) => {
    const links = source.jsonData ?? {};
    const where = `${path} › ${source.name}`;
    const logs = links.tracesToLogsV2?.query;
    return [
      ...(logs ? [{ where, language: 'logql' as const, query: logs.replaceAll('$$', '$') }] : []),
      ...(links.tracesToMetrics?.queries ?? []).map((q) => ({
        where: `${where} › ${q.name}`,
        language: 'promql' as const,
        query: q.query.replaceAll('$$', '$'),
      })),
    ];
  });
}

const queries = [
  ...dashboardQueries(),
  ...ruleFileQueries('stack/prometheus/rules/tooltrail.yml', 'promql'),
  ...ruleFileQueries('stack/loki/rules/fake/tooltrail.yml', 'logql'),
  ...grafanaRuleQueries(),
  ...datasourceQueries(),
];

describe('every PromQL, LogQL and TraceQL string', () => {
  it('is found: dashboards, rule files, Grafana rules and datasources all contribute', () => {
    const count = (language: QueryLanguage) => queries.filter((q) => q.language === language).length;
    expect(count('promql')).toBeGreaterThanOrEqual(6);
    expect(count('logql')).toBeGreaterThanOrEqual(12);
    expect(count('traceql')).toBeGreaterThanOrEqual(2);
    expect(queries.length).toBe(
      dashboardQueries().length + 3 + alertDefinitions().length + datasourceQueries().length,
    );
  });

  it.each(queries.map((q) => [q.where, q.language, q.query] as const))(
    '%s (%s) parses',
    (_where, language, query) => {
      expect(syntaxErrors(language, query)).toEqual([]);
    },
  );
});

describe('the grammar check', () => {
  it.each([
    ['promql', 'sum by (tool (rate(x[5m]))'],
    ['logql', '{service_name=~".+"} | json | success="false" ['],
    ['traceql', '{ span.gen_ai.tool.name = }'],
  ] as const)('reports errors in a broken %s query', (language, query) => {
    expect(syntaxErrors(language, query).length).toBeGreaterThan(0);
  });
});
