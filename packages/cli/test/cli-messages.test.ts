import { beforeAll, describe, expect, it } from 'vitest';
import { tooltrail } from './support/run-cli.js';
import { demoTrail } from './support/source-fixtures.js';

let dir: string;

describe('messages and exit statuses as docs/cli.md states them', () => {
  beforeAll(() => {
    dir = demoTrail('tooltrail-messages-').dir;
  });

  it("`tooltrail help <command>` prints that command's help, like `<command> --help`", () => {
    for (const argv of [['verify'], ['report', 'access'], ['pseudonym']]) {
      const help = tooltrail(['help', ...argv]);
      expect(help.code, argv.join(' ')).toBe(0);
      expect(help.stdout).toBe(tooltrail([...argv, '--help']).stdout);
      expect(help.stdout).toMatch(new RegExp(`^usage: tooltrail ${argv[0]} `));
    }
    const unknown = tooltrail(['help', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^tooltrail: unknown command "nope"/);
  });

  it('no command is a usage error: the usage goes to stderr, nothing to stdout', () => {
    const run = tooltrail([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^usage: tooltrail <command>/);
  });

  it('an error names the command as typed, once: `tooltrail report access: …`, never `report: report access …`', () => {
    const cases: Array<[string[], RegExp]> = [
      [['timeline'], /^tooltrail timeline: a conversation id is required\n/],
      [['query', dir], /^tooltrail query: at least one filter is required/],
      [
        ['report', 'access', dir, '--from', '2026-01-01', '--to', '2026-01-02'],
        /^tooltrail report access: --subject is required\n/,
      ],
      [
        ['report', 'access', dir, '--subject', 'P-1', '--from', '2026-01-01'],
        /^tooltrail report access: --from and --to are required\n/,
      ],
      [['export', 'fhir', dir, '--bogus'], /^tooltrail export fhir: Unknown option '--bogus'/],
      [['pseudonym'], /^tooltrail pseudonym: exactly one value is required/],
      [['retention', 'plan', '--yes'], /^tooltrail retention plan: --yes is for apply\n/],
    ];
    for (const [argv, message] of cases) {
      const run = tooltrail(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr, argv.join(' ')).toMatch(message);
    }
  });

  it('a time range that ends before it starts is a usage error on every command, not an empty answer', () => {
    const inverted: string[][] = [
      ['query', dir, '--since', '2026-02-01', '--until', '2026-01-01'],
      ['stats', dir, '--since', '2026-02-01', '--until', '2026-01-01'],
      ['anomalies', dir, '--since', '2026-02-01', '--until', '2026-01-01'],
      ['export', 'fhir', dir, '--from', '2026-02-01', '--to', '2026-01-01'],
      ['report', 'access', dir, '--subject', 'P-1', '--from', '2026-02-01', '--to', '2026-01-01'],
    ];
    for (const argv of inverted) {
      const run = tooltrail(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr, argv.join(' ')).toMatch(/: --(?:until|to) \S+ is before --(?:since|from) \S+\n/);
      expect(run.stdout).toBe('');
    }
    // The same day as both bounds is one whole day, not inverted.
    expect(tooltrail(['stats', dir, '--since', '2026-01-01', '--until', '2026-01-01']).code).toBe(0);
  });
});
