import type { OnMalformed } from '../sources/record-source.js';
import { UsageError } from '../usage-error.js';

/** `--source` (repeatable) and `--json`, shared by every reading command. */
export const SOURCE_OPTIONS = {
  source: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
} as const;

/** The usage line's part for `--source`. */
export const SOURCE_USAGE = '[--source SPEC]...';

export const SOURCE_HELP = `  --source SPEC       trail dir or file, archive:<path>, loki+http://host:3100, tempo+http://host:3200
                      (repeatable for paths; default $TOOLTRAIL_SOURCE, $TOOLTRAIL_DIR, else .tooltrail)
  --json              machine-readable output`;

/** Reports unreadable lines on stderr with where they are; past 20, only counts them. */
export function malformedReporter(): OnMalformed & { count: () => number } {
  let seen = 0;
  const report = ((where: string, reason: string) => {
    seen++;
    if (seen <= 20) process.stderr.write(`warning: ${where}: ${reason}; skipped\n`);
    else if (seen === 21) process.stderr.write('warning: more unreadable lines; counting only\n');
  }) as OnMalformed & { count: () => number };
  report.count = () => seen;
  return report;
}

/** A duration flag like `90s`, `15m`, `1h`, `2d` in milliseconds. */
export function durationFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match || Number(match[1]) < 1)
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected e.g. 30m, 1h, 2d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}
