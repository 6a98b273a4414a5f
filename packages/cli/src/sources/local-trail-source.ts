import { existsSync } from 'node:fs';
import { readTrailLines } from '@tooltrail/core/internal';
import { InputError } from '../usage-error.js';
import {
  matchesFilter,
  type OnMalformed,
  parseRecordLine,
  type RecordFilter,
  type RecordSource,
  type SourcedRecord,
} from './record-source.js';

/** Trail directories (`<chain>.<segment>.jsonl`) or single trail files, streamed line by line. */
export class LocalTrailSource implements RecordSource {
  readonly label: string;

  constructor(private readonly _paths: string[]) {
    for (const path of _paths) {
      if (!existsSync(path)) throw new InputError(`no such file or directory: ${path}`);
    }
    this.label = _paths.join(', ');
  }

  async *records(filter: RecordFilter, onMalformed: OnMalformed): AsyncGenerator<SourcedRecord> {
    for await (const { text, file, line, error } of readTrailLines({ paths: this._paths })) {
      if (error) {
        onMalformed(line === undefined ? String(file) : `${file}:${line}`, error);
        continue;
      }
      const record = parseRecordLine(text, `${file}:${line}`, onMalformed);
      if (record && matchesFilter(record, filter)) yield { record, text, file, line };
    }
  }

  verifiable(): { input: { paths: string[] }; ordered: boolean } {
    // Paths, not lines: core then reads the retention anchors of each directory and keeps file:line.
    return { input: { paths: this._paths }, ordered: true };
  }
}
