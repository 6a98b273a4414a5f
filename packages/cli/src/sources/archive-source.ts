import { isUtf8 } from 'node:buffer';
import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  AUDIT_LOG_SCOPE,
  forEachLineBytes,
  openRegularFile,
  parseSegmentName,
  type RecordLineReader,
  type RecordLineSink,
  readTrailLines,
  refusedFile,
  tooLong,
} from '@tooltrail/core/internal';
import { InputError } from '../usage-error.js';
import { forEachAuditBody, releaseAuditBodyBuffer, scanAuditBodies } from './archive-line-scan.js';
import {
  matchesFilter,
  type OnMalformed,
  parseRecordLine,
  type RecordFilter,
  type RecordSource,
  type SourcedRecord,
} from './record-source.js';

const LINK_SKIPPED = 'a symbolic link in the archive directory: not followed, not read';
const NOT_A_FILE = 'not a regular file (a FIFO, device or directory with an archive file name): not read';
/** Bodies reach the collector as valid UTF-8 (OTLP strings) and it writes them so: other bytes were put there later. */
const NOT_UTF8 =
  'not valid UTF-8 (the collector writes none): a decoder shows U+FFFD where the file holds other bytes';
const NOT_DECOMPRESSED =
  'an archive file compressed or renamed past .jsonl: not read (only .gz is decompressed; decompress it beside the others)';
/** Archive files: `*.json`, `*.jsonl`, and rotated ones compressed with gzip (read decompressed). */
const ARCHIVE_FILE = /\.jsonl?(\.gz)?$/;
/** An archive file with another suffix (`.zst`, `.bak`): holds records that would otherwise go unread, unreported. */
const UNREAD_ARCHIVE_FILE = /\.jsonl?\.[A-Za-z0-9]+$/;

interface OtlpLogRecord {
  body?: { stringValue?: string };
}
interface OtlpExport {
  resourceLogs?: Array<{
    scopeLogs?: Array<{ scope?: { name?: string }; logRecords?: OtlpLogRecord[] }>;
  }>;
}

/**
 * The collector's file-exporter archive: OTLP JSON lines, each an `ExportLogsServiceRequest` whose audit log
 * records carry the record line in `body.stringValue`. A path is one archive file or a directory of them
 * (rotated backups included, gzip-compressed ones decompressed, read in name order). Streams one OTLP line at a time.
 */
export class ArchiveSource implements RecordSource {
  readonly label: string;
  private readonly _files: string[];
  /** Symbolic links found in the archive directory: not followed, reported as malformed. */
  /** Files found in the directory and not read: links (not followed) and what is no regular file (a FIFO blocks). */
  private readonly _skipped: Array<{ file: string; reason: string }> = [];

  constructor(path: string) {
    if (!existsSync(path)) throw new InputError(`no such file or directory: ${path}`);
    this.label = `archive:${path}`;
    if (!statSync(path).isDirectory()) {
      this._files = [path];
      return;
    }
    this._files = [];
    for (const name of readdirSync(path)
      .filter((entry) => UNREAD_ARCHIVE_FILE.test(entry) || ARCHIVE_FILE.test(entry))
      .sort()) {
      const file = join(path, name);
      const stats = lstatSync(file);
      if (!ARCHIVE_FILE.test(name)) this._skipped.push({ file, reason: NOT_DECOMPRESSED });
      else if (stats.isFile()) this._files.push(file);
      else this._skipped.push({ file, reason: stats.isSymbolicLink() ? LINK_SKIPPED : NOT_A_FILE });
    }
  }

  async *records(filter: RecordFilter, onMalformed: OnMalformed): AsyncGenerator<SourcedRecord> {
    for await (const { bodies, file, line } of this._lines(onMalformed)) {
      for (const text of bodies) {
        if (typeof text !== 'string') {
          onMalformed(`${file}:${line}`, text.malformed);
          continue;
        }
        const record = parseRecordLine(text, `${file}:${line}`, onMalformed);
        if (record && matchesFilter(record, filter)) yield { record, text, file, line };
      }
    }
  }

  verifiable(onMalformed: OnMalformed): {
    input: AsyncIterable<string> & RecordLineReader;
    ordered: boolean;
  } {
    return {
      input: {
        [Symbol.asyncIterator]: () => this._bodies(onMalformed),
        // A witness is read as bytes: no string per OTLP line or per record, no parsed OTLP objects.
        readRecordLines: (sink) => this._readRecordLines(sink, onMalformed),
      },
      // The archive is in arrival order: batches and retries may reorder a chain, so core sorts each chain.
      ordered: false,
    };
  }

  /** The audit record lines, in order. One generator between the file and the verifier: each level costs promises. */
  private async *_bodies(onMalformed: OnMalformed): AsyncGenerator<string> {
    for await (const { bodies, file, line } of this._lines(onMalformed)) {
      for (const text of bodies) {
        if (typeof text === 'string') yield text;
        else onMalformed(`${file}:${line}`, text.malformed);
      }
    }
  }

  /**
   * The same record lines and reports as `_bodies`, in the same order, from the archive's bytes: an OTLP line the
   * byte scan takes (`scanAuditBodies`) hands over its bodies as bytes; any other is parsed as `_lines` parses it.
   */
  private async _readRecordLines(sink: RecordLineSink, onMalformed: OnMalformed): Promise<void> {
    for (const { file, reason } of this._skipped) onMalformed(file, reason);
    const toSink = (bytes: Buffer, start: number, end: number) => sink.bytes(bytes, start, end);
    try {
      await this._readFiles(sink, toSink, onMalformed);
    } finally {
      releaseAuditBodyBuffer();
    }
  }

  private async _readFiles(
    sink: RecordLineSink,
    toSink: (bytes: Buffer, start: number, end: number) => void,
    onMalformed: OnMalformed,
  ): Promise<void> {
    for (const file of this._files) {
      await unlessUnzippable(file, onMalformed, () =>
        forEachLineBytes(
          file,
          (bytes, start, end, line) => {
            const text = bytes.subarray(start, end);
            if (scanAuditBodies(text)) {
              forEachAuditBody(toSink);
              return;
            }
            const where = `${file}:${line}`;
            if (!isUtf8(text)) onMalformed(where, NOT_UTF8);
            for (const body of auditBodies(text.toString('utf8'), where, onMalformed)) {
              if (typeof body === 'string') sink.text(body);
              else onMalformed(where, body.malformed);
            }
          },
          { onTooLong: (line, bytes) => onMalformed(`${file}:${line}`, tooLong(bytes)) },
        ),
      );
    }
  }

  /** The audit record lines of each archive line, with the archive file and line they came from. */
  private async *_lines(
    onMalformed: OnMalformed,
  ): AsyncGenerator<{ bodies: AuditBody[]; file: string; line: number }> {
    for (const { file, reason } of this._skipped) onMalformed(file, reason);
    // Bounded lines (core's MAX_LINE_BYTES): a longer OTLP line is skipped unread and reported, reading goes on.
    for (const path of this._files) {
      try {
        for await (const read of readTrailLines({ paths: [path] })) {
          const { text, error } = read;
          const file = read.file as string;
          const line = read.line as number;
          if (error) {
            onMalformed(read.line === undefined ? file : `${file}:${line}`, error);
            continue;
          }
          if (read.invalidUtf8) onMalformed(`${file}:${line}`, NOT_UTF8);
          const bodies = auditBodies(text, `${file}:${line}`, onMalformed);
          if (bodies.length > 0) yield { bodies, file, line };
        }
      } catch (error) {
        if (!isZlibError(error)) throw error;
        onMalformed(path, unzipFailed(error));
      }
    }
  }
}

/** Reads a file with `read`; a `.gz` file that does not decompress is reported (the lines before it are read). */
async function unlessUnzippable(
  file: string,
  onMalformed: OnMalformed,
  read: () => Promise<void>,
): Promise<void> {
  try {
    await read();
  } catch (error) {
    if (!isZlibError(error)) throw error;
    onMalformed(file, unzipFailed(error));
  }
}

/** zlib's errors (`Z_DATA_ERROR`, `Z_BUF_ERROR` for a file cut short, …): the file, not the run, is broken. */
function isZlibError(error: unknown): boolean {
  return (
    typeof (error as NodeJS.ErrnoException)?.code === 'string' &&
    /^Z_/.test((error as NodeJS.ErrnoException).code as string)
  );
}

function unzipFailed(error: unknown): string {
  return `not a whole gzip file (${(error as Error).message}): what follows the error is not read`;
}

/** An audit record line, or why a log record of the audit scope holds none (reported in its place, in order). */
type AuditBody = string | { malformed: string };

/**
 * The audit record lines (log bodies of the audit scope) of one OTLP JSON line, in order; a line that is not an OTLP
 * logs export goes to `onMalformed`.
 */
function auditBodies(text: string, where: string, onMalformed: OnMalformed): AuditBody[] {
  const bodies: AuditBody[] = [];
  if (text.trim() === '') return bodies;
  let request: OtlpExport;
  try {
    request = JSON.parse(text) as OtlpExport;
  } catch (error) {
    onMalformed(where, `not an OTLP JSON line (${(error as Error).message})`);
    return bodies;
  }
  if (!Array.isArray(request?.resourceLogs)) {
    onMalformed(where, 'not an OTLP logs export (no resourceLogs)');
    return bodies;
  }
  for (const resource of request.resourceLogs) {
    for (const scope of resource.scopeLogs ?? []) {
      if (scope.scope?.name !== AUDIT_LOG_SCOPE) continue;
      for (const log of scope.logRecords ?? []) {
        const body = log.body?.stringValue;
        if (typeof body === 'string') bodies.push(body);
        else bodies.push({ malformed: 'audit log record without a string body' });
      }
    }
  }
  return bodies;
}

/** Whether a file (or the first file of a directory) starts like an OTLP JSON logs export. */
export function looksLikeArchive(path: string): boolean {
  let file = path;
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path).filter(
      (name) => /\.jsonl?$/.test(name) && lstatSync(join(path, name)).isFile(),
    );
    // A directory holding trail segments is a trail directory, not an archive.
    if (names.length === 0 || names.some((name) => parseSegmentName(name) !== undefined)) return false;
    file = join(path, names.sort()[0] as string);
  }
  // A file found in a directory is opened as the readers open it: no link, no FIFO (swapped in since the listing)
  // waited on. A file named by the caller is theirs.
  let fd: number;
  try {
    fd = file === path ? openSync(file, 'r') : openRegularFile(file, constants.O_RDONLY, 'archive file').fd;
  } catch (error) {
    if (refusedFile(error)) return false;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(64);
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    return /^\s*\{\s*"resourceLogs"/.test(buffer.subarray(0, bytes).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}
