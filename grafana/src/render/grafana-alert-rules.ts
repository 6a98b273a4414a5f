import * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import * as expr from '@grafana/grafana-foundation-sdk/expr';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { stringify } from 'yaml';
import type { AlertDefinition } from '../alerts/alert-definition.js';
import { LOKI, PROMETHEUS } from '../datasources.js';
import { GENERATED_HEADER } from './rule-files.js';

const FOLDER = 'tooltrail';

/** The Grafana-managed twin of a definition: A = the query (threshold inside), B = last value, C = B > 0. */
function grafanaRule(definition: AlertDefinition): alerting.Rule {
  const query =
    definition.language === 'promql'
      ? new prometheus.DataqueryBuilder().expr(definition.expr).instant().refId('A')
      : new loki.DataqueryBuilder().expr(definition.expr).queryType('instant').refId('A');
  const datasource = definition.language === 'promql' ? PROMETHEUS : LOKI;
  return (
    new alerting.RuleBuilder(definition.name)
      .uid(`tooltrail-${definition.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^-/, '')}`)
      .ruleGroup(FOLDER)
      .folderUID(FOLDER)
      .orgID(1)
      .withQuery(
        new alerting.QueryBuilder('A')
          .datasourceUid(datasource.uid!)
          .relativeTimeRange({ from: 3600, to: 0 })
          .model(query),
      )
      .withQuery(
        new alerting.QueryBuilder('B')
          .datasourceUid('__expr__')
          .model(new expr.TypeReduceBuilder().refId('B').expression('A').reducer('last')),
      )
      .withQuery(
        new alerting.QueryBuilder('C').datasourceUid('__expr__').model(
          new expr.TypeThresholdBuilder()
            .refId('C')
            .expression('B')
            .conditions([{ evaluator: { type: 'gt', params: [0] } }]),
        ),
      )
      .condition('C')
      .forDuration(definition.for)
      // No series means no tool crossed the threshold: healthy, not "no data".
      .noDataState('OK')
      .execErrState('Error')
      .labels(definition.labels)
      .annotations(definition.annotations)
      .build()
  );
}

/** Grafana alerting provisioning file (grafana/provisioning/alerting-on/, provisioned when TOOLTRAIL_GRAFANA_ALERTS=on) for every definition. */
export function grafanaAlertRules(definitions: AlertDefinition[]): string {
  const rules = definitions.map((definition) => {
    const { folderUID: _folder, ruleGroup: _group, orgID: _org, ...rule } = grafanaRule(definition);
    return rule;
  });
  const file = { apiVersion: 1, groups: [{ orgId: 1, name: FOLDER, folder: FOLDER, interval: '1m', rules }] };
  return GENERATED_HEADER + stringify(JSON.parse(JSON.stringify(file)), { lineWidth: 0 });
}
