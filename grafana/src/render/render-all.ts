import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { alertDefinitions } from '../alerts/definitions.js';
import { auditIntegrity } from '../dashboards/audit-integrity.js';
import { conversationTimeline } from '../dashboards/conversation-timeline.js';
import { subjectAccess } from '../dashboards/subject-access.js';
import { toolCallsOverview } from '../dashboards/tool-calls-overview.js';
import { grafanaAlertRules } from './grafana-alert-rules.js';
import { ruleFile } from './rule-files.js';

/** Every dashboard, keyed by its file name under grafana/dashboards/. */
export function dashboards(): Record<string, dashboard.Dashboard> {
  return {
    'tool-calls-overview.json': toolCallsOverview(),
    'conversation-timeline.json': conversationTimeline(),
    'subject-access.json': subjectAccess(),
    'audit-integrity.json': auditIntegrity(),
  };
}

/** Every generated file, keyed by its path relative to the repository root. */
export function renderAll(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, board] of Object.entries(dashboards())) {
    files.set(`grafana/dashboards/${name}`, `${JSON.stringify(board, null, 2)}\n`);
  }
  const definitions = alertDefinitions();
  files.set('stack/prometheus/rules/tooltrail.yml', ruleFile(definitions, 'promql', 'tooltrail-tools'));
  files.set('stack/loki/rules/fake/tooltrail.yml', ruleFile(definitions, 'logql', 'tooltrail-compliance'));
  files.set('grafana/provisioning/alerting/tooltrail-rules.yaml', grafanaAlertRules(definitions));
  return files;
}
