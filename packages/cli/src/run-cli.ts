import { ANOMALIES_USAGE, anomaliesCommand } from './commands/anomalies.js';
import { EXPORT_FHIR_USAGE, exportCommand } from './commands/export-fhir.js';
import { PSEUDONYM_USAGE, pseudonymCommand } from './commands/pseudonym.js';
import { QUERY_USAGE, queryCommand } from './commands/query.js';
import { REPORT_USAGE, reportCommand } from './commands/report-access.js';
import { RETENTION_USAGE, retentionCommand } from './commands/retention.js';
import { STATS_USAGE, statsCommand } from './commands/stats.js';
import { TIMELINE_USAGE, timelineCommand } from './commands/timeline.js';
import { VERIFY_USAGE, verifyCommand } from './commands/verify.js';
import { InputError, UsageError } from './usage-error.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
}

const COMMANDS: Record<string, Command> = {
  verify: { run: verifyCommand, usage: VERIFY_USAGE },
  timeline: { run: timelineCommand, usage: TIMELINE_USAGE },
  query: { run: queryCommand, usage: QUERY_USAGE },
  stats: { run: statsCommand, usage: STATS_USAGE },
  report: { run: reportCommand, usage: REPORT_USAGE },
  anomalies: { run: anomaliesCommand, usage: ANOMALIES_USAGE },
  export: { run: exportCommand, usage: EXPORT_FHIR_USAGE },
  pseudonym: { run: pseudonymCommand, usage: PSEUDONYM_USAGE },
  retention: { run: retentionCommand, usage: RETENTION_USAGE },
};

const USAGE = `usage: tooltrail <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.usage.split('\n')[2] ?? ''}`)
  .join('\n')}

Run \`tooltrail <command> --help\` for a command's options.`;

/** Runs one CLI invocation and returns the exit code (0 ok, 1 findings, 2 usage or I/O error). */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tooltrail: unknown command ${JSON.stringify(name)}\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tooltrail ${name}: ${(error as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      process.stderr.write(`tooltrail ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
