/** One alert, written once and rendered to Prometheus or Loki ruler YAML and to a Grafana-managed rule. */
export interface AlertDefinition {
  name: string;
  /** Which backend evaluates the Prometheus-style rule: Prometheus (PromQL) or the Loki ruler (LogQL). */
  language: 'promql' | 'logql';
  /** Returns a series only while the alert condition holds (threshold inside the expression). */
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
}
