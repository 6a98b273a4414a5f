import { VERSION } from '@tooltrail/core/internal';
import { ANOMALIES_USAGE, anomaliesCommand } from './commands/anomalies.js';
import { EXPORT_FHIR_USAGE, exportCommand } from './commands/export-fhir.js';
import { PSEUDONYM_USAGE, pseudonymCommand } from './commands/pseudonym.js';
import { QUERY_USAGE, queryCommand } from './commands/query.js';
import { REPORT_USAGE, reportCommand } from './commands/report-access.js';
import { RETENTION_USAGE, retentionCommand } from './commands/retention.js';
import { STATS_USAGE, statsCommand } from './commands/stats.js';
import { TIMELINE_USAGE, timelineCommand } from './commands/timeline.js';
import { VERIFY_USAGE, verifyCommand } from './commands/verify.js';
import { helpWidth, wrapHelp } from './output/wrap-help.js';
import { InputError, UsageError } from './usage-error.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
  /** One line for `tooltrail --help`. */
  summary: string;
  /** The subcommands (`report access`): named in error messages as typed. */
  subcommands?: string[];
}

const COMMANDS: Record<string, Command> = {
  verify: {
    run: verifyCommand,
    usage: VERIFY_USAGE,
    summary: 'is anything edited, removed, reordered, rolled back or forged?',
  },
  timeline: {
    run: timelineCommand,
    usage: TIMELINE_USAGE,
    summary: "one conversation's tool calls, in order",
  },
  query: {
    run: queryCommand,
    usage: QUERY_USAGE,
    summary: 'tool calls by conversation, user, tool, subject, time',
  },
  stats: { run: statsCommand, usage: STATS_USAGE, summary: 'calls, success rate and durations per tool' },
  report: {
    run: reportCommand,
    usage: REPORT_USAGE,
    summary: 'who accessed a data subject: md, json or html',
    subcommands: ['access'],
  },
  anomalies: {
    run: anomaliesCommand,
    usage: ANOMALIES_USAGE,
    summary: 'repeated or off-hours access, failure bursts, break-the-glass',
  },
  export: {
    run: exportCommand,
    usage: EXPORT_FHIR_USAGE,
    summary: 'a FHIR R4 Bundle of AuditEvents',
    subcommands: ['fhir'],
  },
  pseudonym: {
    run: pseudonymCommand,
    usage: PSEUDONYM_USAGE,
    summary: 'the keyed pseudonym of a name or SSN',
  },
  retention: {
    run: retentionCommand,
    usage: RETENTION_USAGE,
    summary: 'delete segments past retention, signed',
    subcommands: ['plan', 'apply'],
  },
};

const USAGE = `usage: tooltrail <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Run \`tooltrail <command> --help\` for a command's options, \`tooltrail --version\` for the version.`;

const help = (text: string) => `${wrapHelp(text, helpWidth())}\n`;

/** Messages from the libraries carry their own `tooltrail:` prefix: printed once, after the command's. */
const unprefixed = (message: string) => message.replace(/^(?:tooltrail: )+/, '');

/** Runs one CLI invocation and returns the exit code (0 ok, 1 findings, 2 usage or I/O error). */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(help(USAGE));
    return 2;
  }
  // `tooltrail help verify` is `tooltrail verify --help`.
  if (name === 'help' && rest[0] !== undefined) return runCli([rest[0], '--help']);
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help(USAGE));
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`tooltrail ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tooltrail: unknown command ${JSON.stringify(name)}\n\n${help(USAGE)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(help(command.usage));
    return 0;
  }
  const typed = command.subcommands?.includes(rest[0] as string) ? `${name} ${rest[0]}` : name;
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(
        `tooltrail ${typed}: ${unprefixed((error as Error).message)}\n\n${help(command.usage)}`,
      );
      return 2;
    }
    if (error instanceof InputError) {
      process.stderr.write(`tooltrail ${typed}: ${unprefixed(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}
