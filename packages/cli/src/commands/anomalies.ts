import { parseArgs } from 'node:util';
import { parseDateRange } from '../fhir/dates.js';
import { alignColumns, styleFor } from '../output/style.js';
import { type Anomaly, detectAnomalies, parseWindow } from '../report/anomalies.js';
import { openSource } from '../sources/open-source.js';
import { UsageError } from '../usage-error.js';
import { malformedReporter, SOURCE_HELP, SOURCE_USAGE } from './common-options.js';

/** The flags `tooltrail anomalies` accepts (its usage line names each one). */
export const ANOMALIES_OPTIONS = {
  window: { type: 'string', default: '1h' },
  threshold: { type: 'string', default: '10' },
  since: { type: 'string' },
  until: { type: 'string' },
  source: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
} as const;

export const ANOMALIES_USAGE = `usage: tooltrail anomalies [<dir-or-file>...] [--window DURATION] [--threshold N] [--since DATE] [--until DATE] ${SOURCE_USAGE} [--json]

Flags repeated access, off-hours access, failure bursts and break-the-glass (listed first). An MCP call audited
on both sides (client and server records) is one access:
  repeated_access   one user touched the same subject >= threshold times within the window
  off_hours         an access in a UTC hour holding < 5% of that user's accesses (users with >= 20 accesses)
  failure_burst     one tool failed >= threshold times within the window
  emergency         every break-the-glass access
  --window DURATION   30m, 1h, 2d … (default 1h)
  --threshold N       how many (default 10)
  --since/--until     YYYY-MM-DD (UTC; --until includes the whole day) or RFC 3339 with a zone
${SOURCE_HELP}
Exit status: 0 nothing found, 1 anomalies found, 2 usage or I/O error.`;

/** `tooltrail anomalies`: returns the exit code. */
export async function anomaliesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: ANOMALIES_OPTIONS,
  });
  const windowMillis = parseWindow(values.window);
  const threshold = Number(values.threshold);
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new UsageError(`--threshold must be a whole number >= 1, not ${JSON.stringify(values.threshold)}`);
  const range = parseDateRange(['--since', values.since], ['--until', values.until]);
  const hints = {
    toolCallsOnly: true,
    since: range.from,
    until: range.to,
  };
  const anomalies = await detectAnomalies(
    openSource([...positionals, ...(values.source ?? [])]).records(hints, malformedReporter()),
    {
      windowMillis,
      threshold,
    },
  );
  if (values.json) process.stdout.write(`${JSON.stringify({ anomalies }, null, 2)}\n`);
  else print(anomalies);
  return anomalies.length > 0 ? 1 : 0;
}

function print(anomalies: Anomaly[]): void {
  const style = styleFor(process.stdout);
  if (anomalies.length === 0) {
    process.stdout.write(`${style.ok('no anomalies')}\n`);
    return;
  }
  const rows = anomalies.map((anomaly) => [
    anomaly.emergency ? style.bad('EMERGENCY') : '',
    style.warn(anomaly.kind),
    anomaly.first,
    anomaly.description,
  ]);
  process.stdout.write(
    `${alignColumns(rows).join('\n')}\n${style.dim(`${anomalies.length} anomaly(ies)`)}\n`,
  );
}
