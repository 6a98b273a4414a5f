import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One line of a trail, with where it came from (for problem reports). */
export interface TrailLine {
  text: string;
  file?: string;
  line?: number;
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

/** Streams the lines of a source in order: a directory's `*.jsonl` files sorted by name, then line by line. */
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

/** The trail files under a path: itself if a file, else its `*.jsonl` files sorted by name (not recursive). */
export function listTrailFiles(path: string): string[] {
  const stats = statSync(path);
  if (!stats.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(path, name));
}

async function* readPath(path: string): AsyncGenerator<TrailLine> {
  for (const file of listTrailFiles(path)) {
    // Splits like readline with crlfDelay: Infinity (\n, \r\n and a lone \r end a line), without its overhead.
    const stream = createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' });
    let number = 0;
    let rest = '';
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest === '' ? chunk : rest + chunk;
      let start = 0;
      let end = text.indexOf('\n');
      while (end !== -1) {
        const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        for (const line of splitLoneCr(text.slice(start, stop))) {
          number++;
          if (line.length > 0) yield { text: line, file, line: number };
        }
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      rest = text.slice(start);
    }
    if (rest !== '') {
      const last = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
      for (const line of splitLoneCr(last)) {
        number++;
        if (line.length > 0) yield { text: line, file, line: number };
      }
    }
  }
}

/** A lone carriage return also ends a line (as in readline); canonical JSON lines never hold one. */
function splitLoneCr(line: string): string[] {
  return line.indexOf('\r') === -1 ? [line] : line.split('\r');
}
