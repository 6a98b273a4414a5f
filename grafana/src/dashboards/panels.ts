import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as tempo from '@grafana/grafana-foundation-sdk/tempo';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { LOKI, PROMETHEUS, TEMPO } from '../datasources.js';

/** Metric series that are tool calls (the span_metrics connector's `gen_ai.tool.name` dimension). */
export const TOOL_CALLS =
  'traces_span_metrics_calls_total{gen_ai_operation_name="execute_tool", service_name=~"$service"}';
export const TOOL_ERRORS =
  'traces_span_metrics_calls_total{gen_ai_operation_name="execute_tool", service_name=~"$service", status_code="STATUS_CODE_ERROR"}';
export const TOOL_DURATION_BUCKETS =
  'traces_span_metrics_duration_milliseconds_bucket{gen_ai_operation_name="execute_tool", service_name=~"$service"}';
/** Audit records in Loki: stream labels are service name and retention class (see collector-config). */
export const AUDIT_STREAM = '{service_name=~"$service"}';

export function serviceVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('service')
    .label('Service')
    .datasource(PROMETHEUS)
    .query('label_values(traces_span_metrics_calls_total, service_name)')
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .includeAll(true)
    .allValue('.+');
}

export function textVariable(name: string, label: string): dashboard.TextBoxVariableBuilder {
  return new dashboard.TextBoxVariableBuilder(name).label(label);
}

export function promTimeseries(title: string, expr: string, legend: string, unit: string) {
  return new timeseries.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .unit(unit)
    .withTarget(new prometheus.DataqueryBuilder().expr(expr).legendFormat(legend).exemplar(true).refId('A'))
    .height(8)
    .span(12);
}

export function lokiLogs(title: string, expr: string) {
  return new logs.PanelBuilder()
    .title(title)
    .datasource(LOKI)
    .withTarget(new loki.DataqueryBuilder().expr(expr).refId('A'))
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .height(10)
    .span(24);
}

export function lokiTable(title: string, expr: string) {
  return new table.PanelBuilder()
    .title(title)
    .datasource(LOKI)
    .withTarget(new loki.DataqueryBuilder().expr(expr).queryType('instant').refId('A'))
    .height(8)
    .span(12);
}

export function lokiTimeseries(title: string, expr: string, legend: string) {
  return new timeseries.PanelBuilder()
    .title(title)
    .datasource(LOKI)
    .withTarget(new loki.DataqueryBuilder().expr(expr).legendFormat(legend).refId('A'))
    .height(8)
    .span(12);
}

export function tempoTable(title: string, traceql: string) {
  return new table.PanelBuilder()
    .title(title)
    .datasource(TEMPO)
    .withTarget(new tempo.DataqueryBuilder().queryType('traceql').query(traceql).limit(50).refId('A'))
    .height(8)
    .span(24);
}

export function baseDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['tooltrail'])
    .editable()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(serviceVariable());
}
