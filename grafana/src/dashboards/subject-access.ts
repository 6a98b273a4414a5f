import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { AUDIT_STREAM, baseDashboard, lokiLogs, lokiTable, lokiTimeseries, textVariable } from './panels.js';

/** Who touched one data subject's records, why, and whether it was a break-the-glass access (compliance). */
export function subjectAccess(): dashboard.Dashboard {
  const subjectRecords = `${AUDIT_STREAM} | tooltrail_subject="$subject"`;
  return baseDashboard(
    'tooltrail-subject-access',
    'tooltrail / Subject access',
    'Access report for one data subject',
  )
    .withVariable(textVariable('subject', 'Subject (e.g. patient:P-1)'))
    .withPanel(
      lokiTable(
        'Accesses by user and purpose',
        `sum by (user_id, purpose) (count_over_time(${subjectRecords} | json [$__range]))`,
      ),
    )
    .withPanel(
      lokiTimeseries(
        'Accesses over time by user',
        `sum by (user_id) (count_over_time(${subjectRecords} [$__interval]))`,
        '{{user_id}}',
      ),
    )
    .withPanel(
      lokiLogs('Emergency (break-the-glass) accesses', `${subjectRecords} | tooltrail_emergency="true"`),
    )
    .withPanel(lokiLogs('Every access', subjectRecords))
    .build();
}
