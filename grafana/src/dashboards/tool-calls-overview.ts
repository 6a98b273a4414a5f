import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  AUDIT_STREAM,
  baseDashboard,
  lokiLogs,
  promTimeseries,
  TOOL_CALLS,
  TOOL_DURATION_BUCKETS,
  TOOL_ERRORS,
  tempoTable,
} from './panels.js';

/** Rate, failure ratio and p95 latency per tool, with the recent failures from Loki and Tempo. */
export function toolCallsOverview(): dashboard.Dashboard {
  return baseDashboard(
    'tooltrail-tool-calls',
    'tooltrail / Tool calls',
    'Rate, failures and latency of agent tool calls',
  )
    .withPanel(
      promTimeseries(
        'Calls per second by tool',
        `sum by (gen_ai_tool_name) (rate(${TOOL_CALLS}[$__rate_interval]))`,
        '{{gen_ai_tool_name}}',
        'reqps',
      ),
    )
    .withPanel(
      promTimeseries(
        'Failure ratio by tool',
        `sum by (gen_ai_tool_name) (rate(${TOOL_ERRORS}[$__rate_interval])) / sum by (gen_ai_tool_name) (rate(${TOOL_CALLS}[$__rate_interval]))`,
        '{{gen_ai_tool_name}}',
        'percentunit',
      ),
    )
    .withPanel(
      promTimeseries(
        'p95 latency by tool',
        `histogram_quantile(0.95, sum by (le, gen_ai_tool_name) (rate(${TOOL_DURATION_BUCKETS}[$__rate_interval])))`,
        '{{gen_ai_tool_name}}',
        'ms',
      ),
    )
    .withPanel(
      promTimeseries(
        'Calls in the last 5 minutes by tool and status',
        `sum by (gen_ai_tool_name, status_code) (increase(${TOOL_CALLS}[5m]))`,
        '{{gen_ai_tool_name}} {{status_code}}',
        'short',
      ),
    )
    .withPanel(
      lokiLogs(
        'Recent failed tool calls (audit records)',
        `${AUDIT_STREAM} | tooltrail_record_type="tool_call" | json | success="false"`,
      ),
    )
    .withPanel(
      tempoTable(
        'Recent failing tool spans',
        '{ span.gen_ai.operation.name = "execute_tool" && status = error }',
      ),
    )
    .build();
}
