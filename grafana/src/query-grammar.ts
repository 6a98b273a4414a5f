import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import type { Parser } from '@lezer/common';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

export type QueryLanguage = 'promql' | 'logql' | 'traceql';

const parsers: Record<QueryLanguage, Parser> = {
  promql: promqlParser,
  logql: logqlParser,
  traceql: traceqlParser,
};

/**
 * Grafana substitutes its variables before a query reaches the backend; the grammars do not know them, so
 * range variables become a duration and the rest a plain word (they only appear inside strings here).
 */
export function expandGrafanaVariables(query: string): string {
  return (
    query
      .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
      // The Tempo datasource's `$__tags` becomes label matchers (`service_name="…", …`).
      .replace(/\$__tags\b/g, 'var___tags=""')
      .replace(
        /\$\{([^}]+)\}|\$(\w+)/g,
        (_match, braced: string | undefined, bare: string | undefined) =>
          // `${__span.tags["service.name"]}` → `var___span_tags__service_name__`: quotes would end the string.
          `var_${(braced ?? bare ?? '').replace(/\W/g, '_')}`,
      )
  );
}

/** Positions of error nodes the official grammar reports in `query`; empty when it parses cleanly. */
export function syntaxErrors(language: QueryLanguage, query: string): Array<{ from: number; text: string }> {
  const expanded = expandGrafanaVariables(query);
  const errors: Array<{ from: number; text: string }> = [];
  parsers[language].parse(expanded).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push({ from: node.from, text: expanded.slice(Math.max(0, node.from - 20), node.to + 20) });
    },
  });
  return errors;
}
