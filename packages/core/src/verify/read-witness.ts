import { statSync } from 'node:fs';
import { listTrailFiles } from '../trail/list-trail.js';
import { forEachLineBytes } from '../trail/read-line-bytes.js';
import { type TrailSource, tooLong, trailPaths } from '../trail/read-trail-lines.js';
import { malformedReason } from './record-integrity.js';
import { lineFields, scanLineFields } from './scan-record-line.js';
import { WitnessIndex } from './witness-index.js';

/**
 * Receives a witness's record lines in order: as UTF-8 bytes (`bytes[start, end)`, valid only during the call)
 * where the source has them, or as a string (say, a body that holds a lone surrogate, which UTF-8 cannot carry).
 */
export interface RecordLineSink {
  bytes(bytes: Buffer, start: number, end: number): void;
  text(line: string): void;
}

/**
 * A witness source that can hand over its record lines without a string per line (the CLI's collector archive,
 * which also iterates them as strings): `readWitness` calls `readRecordLines` instead of iterating. It must hand
 * over exactly the lines, in the same order, that iterating would yield.
 */
export interface RecordLineReader {
  readRecordLines(sink: RecordLineSink): Promise<void>;
}

/**
 * Reads a witness (the collector archive, Loki, another copy of the trail) into a compact index of
 * (chain, seq) → hash. Lines that are not chained records are skipped: the witness is compared with, not
 * verified (verify it on its own to check it). Memory: one byte per witnessed record, and a few MiB of hash pages
 * (the others spill to a temporary file: `WitnessIndex`); `close()` the index when done.
 */
export async function readWitness(
  source: TrailSource,
  options: {
    onUnread?: (reason: string, file: string, line?: number) => void;
    /** Files of the trail being verified (`fileId`): one of them in the witness is not read. */
    trailFiles?: ReadonlySet<string>;
  } = {},
): Promise<WitnessIndex> {
  const index = new WitnessIndex();
  const onUnread = options.onUnread ?? (() => {});
  try {
    const paths = trailPaths(source);
    if (paths) {
      for (const path of paths) {
        for (const file of listTrailFiles(path)) {
          // The trail's own file (the same directory, a link to it, a hard link) would witness whatever was done
          // to it: a cut and a forged tail would verify as a crash.
          const id = fileId(file);
          if (id !== undefined && options.trailFiles?.has(id)) {
            onUnread('is a file of the trail itself: a witness must be another copy, not read', file);
            continue;
          }
          // Read as a trail directory is: a link found there is not followed, a FIFO not waited on (it would
          // block for ever), a line over the limit skipped — each reported, since it may have held records.
          await forEachLineBytes(file, (bytes, start, end) => addBytes(index, bytes, start, end), {
            noFollow: file !== path,
            onSkipped: (reason) => onUnread(reason, file),
            onTooLong: (line, bytes) => onUnread(tooLong(bytes), file, line),
          });
        }
      }
      return index;
    }
    if (isRecordLineReader(source)) {
      await source.readRecordLines({
        bytes: (bytes, start, end) => addBytes(index, bytes, start, end),
        text: (line) => addText(index, line),
      });
      return index;
    }
    for await (const line of source as AsyncIterable<string>) addText(index, line);
    return index;
  } catch (error) {
    index.close();
    throw error;
  }
}

/** The files under `paths`, by device and inode (what a link or a hard link shares with its target). */
export function trailFileIds(paths: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const path of paths) {
    let files: string[];
    try {
      files = listTrailFiles(path);
    } catch {
      continue; // reported when the trail is read
    }
    for (const file of files) {
      const id = fileId(file);
      if (id !== undefined) ids.add(id);
    }
  }
  return ids;
}

/** `device:inode` of a file (a link followed), or undefined when it cannot be stat'ed. */
function fileId(file: string): string | undefined {
  try {
    const stats = statSync(file, { bigint: true });
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

function isRecordLineReader(source: TrailSource): source is TrailSource & RecordLineReader {
  return typeof (source as Partial<RecordLineReader>).readRecordLines === 'function';
}

/** A line's bytes: the byte scan for a writer-made line, else its decoded text as any other line. */
function addBytes(index: WitnessIndex, bytes: Buffer, start: number, end: number): void {
  if (!addScanned(index, bytes, start, end)) addText(index, bytes.toString('utf8', start, end));
}

/** A writer-made tool call line, by the byte scan (no JSON.parse, no record object): false for any other line. */
function addScanned(index: WitnessIndex, bytes: Buffer, start: number, end: number): boolean {
  if (!scanLineFields(bytes, start, end)) return false;
  const { chain, seq, hashStart } = lineFields;
  index.addHex(chain, seq, bytes, hashStart + 8);
  return true;
}

/** Reused for the UTF-8 bytes of each line (no buffer per line for the garbage collector). */
let scratch = Buffer.allocUnsafe(1 << 16);

function addText(index: WitnessIndex, text: string): void {
  // The byte scan picks the chain fields of a writer-made tool call without a JSON.parse (≈ 2× faster).
  const most = text.length * 3;
  if (scratch.length < most) scratch = Buffer.allocUnsafe(most);
  if (addScanned(index, scratch, 0, scratch.write(text, 0, 'utf8'))) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  if (malformedReason(parsed) !== undefined) return;
  const record = parsed as { chain: string; seq: number; hash: string };
  index.add(record.chain, record.seq, record.hash);
}
