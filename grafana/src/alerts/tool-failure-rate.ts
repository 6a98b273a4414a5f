import type { AlertDefinition } from './alert-definition.js';

export interface ToolFailureRateOptions {
  /** Window the ratio and the call count are measured over. @default '5m' */
  window?: string;
  /** How long the condition must hold. @default '5m' */
  forDuration?: string;
  /** Failure ratio above which a tool is unhealthy. @default 0.1 */
  maxFailureRatio?: number;
  /** Calls in the window below which a tool is too quiet to judge. @default 20 */
  minCalls?: number;
}

const CALLS = 'traces_span_metrics_calls_total';
const TOOL_SPANS = 'gen_ai_operation_name="execute_tool"';

/**
 * ToolFailureRateHigh: per tool, the failure ratio over `window` exceeds `maxFailureRatio` for `forDuration`,
 * and the tool made at least `minCalls` calls in the window (a 1-of-2 failure is noise, not an incident).
 */
export function toolFailureRateHigh(options: ToolFailureRateOptions = {}): AlertDefinition {
  const window = options.window ?? '5m';
  const ratio = options.maxFailureRatio ?? 0.1;
  const minCalls = options.minCalls ?? 20;
  const errors = `sum by (gen_ai_tool_name) (rate(${CALLS}{${TOOL_SPANS}, status_code="STATUS_CODE_ERROR"}[${window}]))`;
  const all = `sum by (gen_ai_tool_name) (rate(${CALLS}{${TOOL_SPANS}}[${window}]))`;
  const volume = `sum by (gen_ai_tool_name) (increase(${CALLS}{${TOOL_SPANS}}[${window}]))`;
  return {
    name: 'ToolFailureRateHigh',
    language: 'promql',
    expr: `(${errors} / ${all}) > ${ratio} and ${volume} >= ${minCalls}`,
    for: options.forDuration ?? '5m',
    labels: { severity: 'warning', team: 'agents' },
    annotations: {
      summary: 'Tool {{ $labels.gen_ai_tool_name }} fails {{ $value | humanizePercentage }} of its calls',
      description: `More than ${ratio * 100}% of calls to {{ $labels.gen_ai_tool_name }} failed over ${window} (at least ${minCalls} calls).`,
    },
  };
}
