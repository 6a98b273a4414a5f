import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter.js';
import { listTrailFiles } from './list-trail.js';
import { fileChunks, openFile } from './read-line-bytes.js';

/** One line of a trail, with where it came from (for problem reports). */
export interface TrailLine {
  text: string;
  file?: string;
  line?: number;
  /**
   * Set (and `text` empty) when the line or file could not be read: a line longer than `MAX_LINE_BYTES`, or a
   * symbolic link found in a trail directory (not followed; no `line`).
   */
  error?: string;
  /** Set when the line's bytes are not valid UTF-8: `text` then shows U+FFFD where the file holds other bytes. */
  invalidUtf8?: true;
}

/** Trail directories or files to read, by path (never inferred from data). */
export interface TrailPaths {
  paths: readonly string[];
}

/**
 * Where records come from: a trail directory or file (a string), several of them (`{ paths }`), or an (async)
 * iterable of record lines such as log bodies fetched from Loki. Items of an iterable are only ever record
 * lines: one that is not a record is a malformed line, never a path to open.
 */
export type TrailSource = string | TrailPaths | Iterable<string> | AsyncIterable<string>;

/** The paths a source names: a string, or `{ paths }`; undefined for an iterable of record lines. */
export function trailPaths(source: TrailSource): readonly string[] | undefined {
  if (typeof source === 'string') return [source];
  if (isTrailPaths(source)) return source.paths;
  return undefined;
}

/** Streams the lines of a source in order: a directory's trail files sorted by name, then line by line. */
export async function* readTrailLines(source: TrailSource): AsyncGenerator<TrailLine> {
  const paths = trailPaths(source);
  if (paths) {
    for (const path of paths) yield* readPath(path);
    return;
  }
  let index = 0;
  for await (const item of source as AsyncIterable<string>) {
    index++;
    yield { text: item, line: index };
  }
}

function isTrailPaths(source: TrailSource): source is TrailPaths {
  return typeof source === 'object' && source !== null && Array.isArray((source as TrailPaths).paths);
}

async function* readPath(path: string): AsyncGenerator<TrailLine> {
  for (const file of listTrailFiles(path)) {
    // Lines are split as bytes (\n, \r\n and a lone \r end a line, as in readline with crlfDelay: Infinity) and
    // decoded one by one; a line longer than MAX_LINE_BYTES is skipped unread and yielded as an error.
    const lines: TrailLine[] = [];
    const splitter = new LineSplitter(
      (bytes, start, end, line) => {
        const text = bytes.toString('utf8', start, end);
        lines.push(
          isUtf8(bytes.subarray(start, end)) ? { text, file, line } : { text, file, line, invalidUtf8: true },
        );
      },
      (line, bytes) => lines.push({ text: '', file, line, error: tooLong(bytes) }),
    );
    // A file found by listing a directory is not opened through a symbolic link (its target is not trail data),
    // nor read when it is no regular file (a FIFO would block the reader).
    let skipped = '';
    const handle =
      file === path
        ? await open(file, 'r')
        : await openFile(file, { noFollow: true, onSkipped: (reason) => (skipped = reason) });
    if (!handle) {
      yield { text: '', file, error: skipped };
      continue;
    }
    try {
      for await (const chunk of fileChunks(handle, file)) {
        splitter.push(chunk);
        yield* lines;
        lines.length = 0;
      }
      splitter.end();
      yield* lines;
    } finally {
      await handle.close();
    }
  }
}

/** The reason given for a line longer than `MAX_LINE_BYTES`. */
export function tooLong(bytes: number): string {
  return `line of ${bytes} bytes is longer than the ${MAX_LINE_BYTES}-byte limit: not read`;
}
