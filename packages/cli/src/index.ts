export { timelineLine } from './commands/timeline.js';
export { runCli } from './run-cli.js';
export { ArchiveSource } from './sources/archive-source.js';
export { LocalTrailSource } from './sources/local-trail-source.js';
export type { LokiSourceOptions } from './sources/loki-source.js';
export { LokiSource } from './sources/loki-source.js';
export { defaultSourceSpecs, openSource } from './sources/open-source.js';
export { readRecords } from './sources/read-records.js';
export type {
  OnMalformed,
  RecordFilter,
  RecordSource,
  SourcedRecord,
} from './sources/record-source.js';
export { matchesFilter } from './sources/record-source.js';
export { spanToRecord } from './sources/span-record.js';
export type { TempoSourceOptions } from './sources/tempo-source.js';
export { TempoSource } from './sources/tempo-source.js';
export type { VerifySourceOptions } from './sources/verify-source.js';
export { verifyRecordSource } from './sources/verify-source.js';
export { InputError, UsageError } from './usage-error.js';
