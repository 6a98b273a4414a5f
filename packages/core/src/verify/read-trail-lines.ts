import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

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
    const lines = createInterface({
      input: createReadStream(file, { highWaterMark: 1 << 20 }),
      crlfDelay: Infinity,
    });
    let number = 0;
    for await (const text of lines) {
      number++;
      if (text.length > 0) yield { text, file, line: number };
    }
  }
}
