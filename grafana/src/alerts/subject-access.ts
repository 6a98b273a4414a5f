import type { AlertDefinition } from './alert-definition.js';

// Loki's OTLP ingestion turns log attributes into structured metadata with dots replaced by underscores.
const AUDIT_STREAM = '{service_name=~".+"}';

/** SubjectAccessSpike: one user touched one data subject's records at least `threshold` times in an hour. */
export function subjectAccessSpike(threshold = 10): AlertDefinition {
  return {
    name: 'SubjectAccessSpike',
    language: 'logql',
    expr:
      `sum by (service_name, tooltrail_subject, user_id) (count_over_time(${AUDIT_STREAM} ` +
      `| tooltrail_record_type="tool_call" | tooltrail_subject!="" [1h])) >= ${threshold}`,
    for: '0m',
    labels: { severity: 'warning', team: 'compliance' },
    annotations: {
      summary: '{{ $labels.user_id }} accessed {{ $labels.tooltrail_subject }} {{ $value }} times in an hour',
      description: `At least ${threshold} tool calls by one user on one data subject within 1h; review the access report.`,
    },
  };
}

/** EmergencyAccess: any break-the-glass record (`tooltrail.emergency` true). */
export function emergencyAccess(): AlertDefinition {
  return {
    name: 'EmergencyAccess',
    language: 'logql',
    expr:
      `sum by (service_name, tooltrail_subject, user_id) (count_over_time(${AUDIT_STREAM} ` +
      `| tooltrail_emergency="true" [5m])) > 0`,
    for: '0m',
    labels: { severity: 'critical', team: 'compliance' },
    annotations: {
      summary: 'Break-the-glass access to {{ $labels.tooltrail_subject }} by {{ $labels.user_id }}',
      description:
        'An emergency-access tool call was recorded; it needs a documented justification and review.',
    },
  };
}
