export { timelineLine } from './commands/timeline.js';
export { runCli } from './run-cli.js';
export type { SourcedRecord } from './sources/read-records.js';
export { readRecords } from './sources/read-records.js';
export { InputError, UsageError } from './usage-error.js';
