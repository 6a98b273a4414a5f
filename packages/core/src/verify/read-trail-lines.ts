import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One line of a trail, with where it came from (for problem reports). */
export interface TrailLine {
  text: string;
  file?: string;
  line?: number;
}

/**
 * Where records come from: a trail directory, a file, a list of paths, or an (async) iterable of record lines
 * (strings starting with `{`) such as log bodies fetched from Loki.
 */
export type TrailSource = string | Iterable<string> | AsyncIterable<string>;

/** Streams the lines of a source in order: a directory's `*.jsonl` files sorted by name, then line by line. */
export async function* readTrailLines(source: TrailSource): AsyncGenerator<TrailLine> {
  if (typeof source === 'string') {
    yield* readPath(source);
    return;
  }
  let index = 0;
  for await (const item of source as AsyncIterable<string>) {
    index++;
    if (item.trimStart().startsWith('{')) yield { text: item, line: index };
    else yield* readPath(item);
  }
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
