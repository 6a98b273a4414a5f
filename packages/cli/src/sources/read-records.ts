import { existsSync } from 'node:fs';
import { readTrailLines } from '@tooltrail/core/internal';
import { InputError } from '../usage-error.js';
import type { SourcedRecord } from './record-source.js';

/**
 * Streams the records of trail directories or files. Lines that are not JSON objects are reported through
 * `onMalformed` (with file and line) and skipped: the rest is still read.
 */
export async function* readRecords(
  paths: string[],
  onMalformed: (where: string, reason: string) => void,
): AsyncGenerator<SourcedRecord> {
  for (const path of paths) {
    if (!existsSync(path)) throw new InputError(`no such file or directory: ${path}`);
  }
  for await (const { text, file, line, error } of readTrailLines({ paths })) {
    if (error) {
      onMalformed(line === undefined ? String(file) : `${file}:${line}`, error);
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      onMalformed(`${file}:${line}`, `not JSON (${(error as Error).message})`);
      continue;
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      onMalformed(`${file}:${line}`, 'not a JSON object');
      continue;
    }
    yield { record: record as Record<string, unknown>, file, line };
  }
}
