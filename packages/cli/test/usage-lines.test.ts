import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANOMALIES_OPTIONS, ANOMALIES_USAGE } from '../src/commands/anomalies.js';
import { EXPORT_FHIR_OPTIONS, EXPORT_FHIR_USAGE } from '../src/commands/export-fhir.js';
import { PSEUDONYM_OPTIONS, PSEUDONYM_USAGE } from '../src/commands/pseudonym.js';
import { QUERY_OPTIONS, QUERY_USAGE } from '../src/commands/query.js';
import { REPORT_OPTIONS, REPORT_USAGE } from '../src/commands/report-access.js';
import { RETENTION_OPTIONS, RETENTION_USAGE } from '../src/commands/retention.js';
import { STATS_OPTIONS, STATS_USAGE } from '../src/commands/stats.js';
import { TIMELINE_OPTIONS, TIMELINE_USAGE } from '../src/commands/timeline.js';
import { VERIFY_OPTIONS, VERIFY_USAGE } from '../src/commands/verify.js';
import { repoRoot } from './support/run-cli.js';

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/** Each command as docs/cli.md heads its section, the parser's options and the help text. */
const COMMANDS: Array<[string, Options, string]> = [
  ['verify', VERIFY_OPTIONS, VERIFY_USAGE],
  ['timeline', TIMELINE_OPTIONS, TIMELINE_USAGE],
  ['query', QUERY_OPTIONS, QUERY_USAGE],
  ['stats', STATS_OPTIONS, STATS_USAGE],
  ['report access', REPORT_OPTIONS, REPORT_USAGE],
  ['anomalies', ANOMALIES_OPTIONS, ANOMALIES_USAGE],
  ['export fhir', EXPORT_FHIR_OPTIONS, EXPORT_FHIR_USAGE],
  ['pseudonym', PSEUDONYM_OPTIONS, PSEUDONYM_USAGE],
  ['retention', RETENTION_OPTIONS, RETENTION_USAGE],
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const flag = (name: string) => new RegExp(`(?<![\\w-])--${escapeRegExp(name)}(?![\\w-])`);

/** The usage line of a help text as one line, without `usage: `. */
const usageLine = (help: string) =>
  (help.split('\n\n')[0] as string).replace(/^usage: /, '').replace(/\s+/g, ' ');

/** The heads of the option list (`--source SPEC`, `--since/--until`, `apply --yes`): before the description. */
const optionHeads = (help: string) =>
  help
    .split('\n')
    .slice(1)
    .map((line) => /^\s+(\S+(?: \S+){0,2})\s{2,}\S/.exec(line)?.[1])
    .filter((head): head is string => head !== undefined);

/** The value name after `--name` in `text` (`--source SPEC` → SPEC), if any. */
const valueName = (text: string, name: string) =>
  new RegExp(`(?<![\\w-])--${escapeRegExp(name)} ([^\\s[\\]-][^\\s\\]]*)`).exec(text)?.[1];

const docs = readFileSync(join(repoRoot, 'docs/cli.md'), 'utf8');
const readme = readFileSync(join(repoRoot, 'packages/cli/README.md'), 'utf8');

describe('every usage line names every flag its command accepts, as the parser defines it', () => {
  it.each(COMMANDS)('%s: in its --help', (command, options, help) => {
    const usage = usageLine(help);
    const heads = optionHeads(help);
    // Every reading command takes its sources as positional paths too (pseudonym takes a value, retention none).
    if (command !== 'pseudonym' && command !== 'retention') expect(usage).toContain(' [<dir-or-file>...] ');
    for (const [name, option] of Object.entries(options)) {
      expect(usage, `--${name} missing from the usage line`).toMatch(flag(name));
      const value = valueName(usage, name);
      if (option.type === 'string') expect(value, `--${name} takes a value`).toBeDefined();
      else expect(value, `--${name} is a switch`).toBeUndefined();
      if (option.multiple)
        expect(usage, `--${name} is repeatable`).toMatch(
          new RegExp(`--${escapeRegExp(name)}(?: [^\\s\\]]+)?\\]?\\.\\.\\.`),
        );
      const head = heads.find((text) => flag(name).test(text));
      expect(head, `--${name} is not described under the usage line`).toBeDefined();
      const described = valueName(head as string, name);
      if (described !== undefined) expect(described, `--${name}: usage and description`).toBe(value);
    }
  });

  it('a flag has one value name across the commands (`--source DIR` only where only a directory will do)', () => {
    const names = new Map<string, Set<string>>();
    for (const [command, options, help] of COMMANDS)
      for (const name of Object.keys(options)) {
        const value = valueName(usageLine(help), name);
        if (value === undefined || (command === 'retention' && name === 'source')) continue;
        names.set(name, (names.get(name) ?? new Set()).add(value));
      }
    for (const [name, values] of names) expect([...values], `--${name}`).toHaveLength(1);
    expect(valueName(usageLine(RETENTION_USAGE), 'source')).toBe('DIR');
  });

  it.each(COMMANDS)('%s: docs/cli.md shows the same usage line', (command, _options, help) => {
    const section = docs.split(`\n## ${command}\n`)[1] as string;
    expect(section, `no "## ${command}" section`).toBeDefined();
    const block = /```\n([\s\S]*?)\n```/.exec(section)?.[1] as string;
    expect(block.replace(/\s+/g, ' ')).toBe(usageLine(help));
  });

  it("packages/cli/README.md's examples use only flags their command accepts", () => {
    const examples = readme.split('\n').filter((line) => line.startsWith('tooltrail '));
    expect(examples.length).toBeGreaterThan(0);
    for (const line of examples) {
      const command = line.replace(/\s+#.*$/, '');
      const entry = COMMANDS.find(([name]) => command.startsWith(`tooltrail ${name} `));
      expect(entry, line).toBeDefined();
      for (const used of command.match(/(?<=\s)--[\w-]+/g) ?? [])
        expect(Object.keys((entry as (typeof COMMANDS)[number])[1]), line).toContain(used.slice(2));
    }
    const withJson = COMMANDS.filter(([, options]) => 'json' in options).map(([name]) => `\`${name}\``);
    expect(readme.replace(/\s+/g, ' ')).toContain(
      `${withJson.slice(0, -1).join(', ')} and ${withJson.at(-1)} take \`--json\``,
    );
  });
});
