import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { alertDefinitions } from '../alerts/definitions.js';
import { auditIntegrity } from '../dashboards/audit-integrity.js';
import { conversationTimeline } from '../dashboards/conversation-timeline.js';
import { subjectAccess } from '../dashboards/subject-access.js';
import { toolCallsOverview } from '../dashboards/tool-calls-overview.js';
import { grafanaAlertRules } from './grafana-alert-rules.js';
import { ruleFile } from './rule-files.js';

/**
 * The dashboard schema version written into every dashboard: the newest the pinned Grafana (12.1.1, see
 * docker-compose.yml) migrates to. The foundation SDK writes 42 (Grafana 12.2's), which Grafana 12.1 does not
 * know; nothing these dashboards use changed between 41 and 42 (42 only adds tooltip hiding to overrides that
 * hide a field from the visualisation, and no panel here has one).
 */
export const GRAFANA_SCHEMA_VERSION = 41;

/** Where the Grafana-managed copies of the alert rules go: provisioned only when TOOLTRAIL_GRAFANA_ALERTS=on. */
export const GRAFANA_ALERT_RULES_PATH = 'grafana/provisioning/alerting-on/tooltrail-rules.yaml';

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
    const pinned = { ...board, schemaVersion: GRAFANA_SCHEMA_VERSION };
    files.set(`grafana/dashboards/${name}`, `${JSON.stringify(pinned, null, 2)}\n`);
  }
  const definitions = alertDefinitions();
  files.set('stack/prometheus/rules/tooltrail.yml', ruleFile(definitions, 'promql', 'tooltrail-tools'));
  files.set('stack/loki/rules/fake/tooltrail.yml', ruleFile(definitions, 'logql', 'tooltrail-compliance'));
  files.set(GRAFANA_ALERT_RULES_PATH, grafanaAlertRules(definitions));
  return files;
}
