import { describe, expect, it } from 'vitest';
import { ANOMALIES_USAGE } from '../src/commands/anomalies.js';
import { EXPORT_FHIR_USAGE } from '../src/commands/export-fhir.js';
import { PSEUDONYM_USAGE } from '../src/commands/pseudonym.js';
import { QUERY_USAGE } from '../src/commands/query.js';
import { REPORT_USAGE } from '../src/commands/report-access.js';
import { RETENTION_USAGE } from '../src/commands/retention.js';
import { STATS_USAGE } from '../src/commands/stats.js';
import { TIMELINE_USAGE } from '../src/commands/timeline.js';
import { VERIFY_USAGE } from '../src/commands/verify.js';
import { tooltrail } from './support/run-cli.js';

/** Each command's help as written, by the argv that prints it. */
const HELP: Array<[string[], string]> = [
  [['verify'], VERIFY_USAGE],
  [['timeline'], TIMELINE_USAGE],
  [['query'], QUERY_USAGE],
  [['stats'], STATS_USAGE],
  [['report', 'access'], REPORT_USAGE],
  [['anomalies'], ANOMALIES_USAGE],
  [['export', 'fhir'], EXPORT_FHIR_USAGE],
  [['pseudonym'], PSEUDONYM_USAGE],
  [['retention', 'plan'], RETENTION_USAGE],
];

const WIDTHS = [60, 100, 200];

/** `tooltrail <command> --help` as printed for a terminal `columns` wide. */
const helpAt = (argv: string[], columns: number) => {
  const run = tooltrail([...argv, '--help'], { COLUMNS: String(columns) });
  expect(run.code).toBe(0);
  return run.stdout.replace(/\n$/, '');
};

/**
 * The source lines that must start an output line: the usage line, each option or list item (indented, then two
 * or more spaces before its description), and every line after a blank line or after a line that ends a
 * sentence or an item (`.`, `:`, `;`, `)`).
 */
function lineStarts(text: string): string[] {
  const lines = text.split('\n');
  return lines
    .filter((line, i) => {
      if (line.trim() === '') return false;
      const previous = lines[i - 1];
      return (
        i === 0 ||
        /^\s+-?[\w[][^\s]*(?: \S+){0,2} {2,}\S/.test(line) ||
        previous === undefined ||
        previous.trim() === '' ||
        /[.:;)]$/.test(previous)
      );
    })
    .map((line) => line.trim().split(/\s+/).slice(0, 3).join(' '));
}

describe('help keeps its structure at every terminal width', () => {
  it.each(WIDTHS)('at %i columns every line fits and no word is lost or cut', (columns) => {
    const limit = Math.min(Math.max(columns, 60), 120);
    const top = helpAt([], columns);
    for (const line of top.split('\n')) expect(line.length, line).toBeLessThanOrEqual(limit);
    for (const [argv, source] of HELP) {
      const printed = helpAt(argv, columns);
      for (const line of printed.split('\n'))
        expect(line.length, `${argv[0]} at ${columns}: ${line}`).toBeLessThanOrEqual(limit);
      expect(printed.split(/\s+/)).toEqual(source.split(/\s+/));
    }
  });

  it.each(WIDTHS)(
    'at %i columns usage lines, options, list items and paragraphs keep their breaks',
    (columns) => {
      for (const [argv, source] of HELP) {
        const starts = helpAt(argv, columns)
          .split('\n')
          .map((line) => line.trim().split(/\s+/).join(' '));
        for (const start of lineStarts(source))
          expect(
            starts.some((line) => line.startsWith(start)),
            `${argv[0]} at ${columns}: "${start}…" no longer starts a line`,
          ).toBe(true);
      }
    },
  );

  it("pseudonym's --kind lines stay three lines: the kinds, the digit kinds, subject", () => {
    for (const columns of WIDTHS) {
      const lines = helpAt(['pseudonym'], columns).split('\n');
      const digit = lines.findIndex((line) => line.trim().startsWith('ssn, card, phone and iban ignore'));
      const subject = lines.findIndex((line) => line.trim().startsWith('subject: a record subject'));
      expect(digit, `at ${columns}`).toBeGreaterThan(0);
      expect(subject, `at ${columns}`).toBeGreaterThan(digit);
      // Each continues under the description column of --kind.
      const column = (lines.find((line) => line.startsWith('  --kind KIND')) as string).search(
        /(?<= {2})how/,
      );
      expect(lines[digit]?.search(/\S/)).toBe(column);
      expect(lines[subject]?.search(/\S/)).toBe(column);
    }
  });

  it('an option written as two flags and a value keeps its description column', () => {
    const lines = helpAt(['export', 'fhir'], 60).split('\n');
    const at = lines.findIndex((line) => line.startsWith('  --from, --to DATE'));
    expect(at).toBeGreaterThan(0);
    const column = (lines[at] as string).indexOf('YYYY-MM-DD');
    expect(column).toBeGreaterThan('  --from, --to DATE'.length);
    expect(lines[at + 1]?.search(/\S/)).toBe(column);
  });

  it('a usage line continues under its first option, also when written on two lines', () => {
    for (const columns of WIDTHS) {
      for (const [argv] of HELP) {
        const printed = helpAt(argv, columns).split('\n');
        const end = printed.indexOf('');
        const usage = printed.slice(0, end);
        const head = /^usage: tooltrail (?:[a-z][\w|-]* )+/.exec(usage[0] as string)?.[0] as string;
        for (const line of usage.slice(1))
          expect(line.search(/\S/), `${argv[0]} at ${columns}: ${line}`).toBe(head.length);
        // A flag and its value stay together: `--subject S`, never `--subject` / `S`.
        for (const line of usage) expect(line, `${argv[0]} at ${columns}`).not.toMatch(/--[\w-]+$/);
      }
    }
  });
});
