import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { AUDIT_STREAM, baseDashboard, lokiLogs, lokiTable, lokiTimeseries } from './panels.js';

/** Records and signed checkpoints per chain: a chain whose checkpoints stop is worth a `tooltrail verify`. */
export function auditIntegrity(): dashboard.Dashboard {
  return baseDashboard(
    'tooltrail-audit-integrity',
    'tooltrail / Audit integrity',
    'Records and checkpoints per chain',
  )
    .withPanel(
      lokiTimeseries(
        'Records per chain',
        `sum by (tooltrail_chain) (count_over_time(${AUDIT_STREAM} | tooltrail_record_type="tool_call" [$__interval]))`,
        '{{tooltrail_chain}}',
      ),
    )
    .withPanel(
      lokiTimeseries(
        'Checkpoints per chain',
        `sum by (tooltrail_chain) (count_over_time(${AUDIT_STREAM} | tooltrail_record_type="checkpoint" [$__interval]))`,
        '{{tooltrail_chain}}',
      ),
    )
    .withPanel(
      lokiTable(
        'Highest sequence number per chain',
        `max by (tooltrail_chain) (max_over_time(${AUDIT_STREAM} | json | unwrap seq [$__range]))`,
      ),
    )
    .withPanel(
      lokiTable(
        'Records per retention class',
        `sum by (tooltrail_retention) (count_over_time(${AUDIT_STREAM} [$__range]))`,
      ),
    )
    .withPanel(lokiLogs('Latest checkpoints', `${AUDIT_STREAM} | tooltrail_record_type="checkpoint"`))
    .build();
}
