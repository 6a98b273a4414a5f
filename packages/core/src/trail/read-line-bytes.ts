import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { type LineBytesSink, LineSplitter, type LongLineSink, MAX_LINE_BYTES } from './line-splitter.js';

export type { LineBytesSink, LongLineSink };

/** How `forEachLineBytes` treats a line longer than the limit, and whether it may open a link. */
export interface LineReadOptions {
  /** Called for a line longer than `maxLineBytes` (skipped, not held). @default throws */
  onTooLong?: LongLineSink;
  /** @default MAX_LINE_BYTES (256 MiB) */
  maxLineBytes?: number;
  /** Do not open `file` if it is a symbolic link (for files found by listing a directory): call `onLink`. */
  noFollow?: boolean;
  /** Called instead of reading when `noFollow` is set and `file` is a symbolic link. @default throws ELOOP */
  onLink?: () => void;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Reads a file line by line as bytes, without decoding: the verifier's fast path hashes and scans the bytes
 * themselves. Lines end like `readTrailLines` ends them (\n, \r\n, and a lone \r) and get the same numbers;
 * empty lines are counted, not delivered. Memory: one chunk plus at most one line of `maxLineBytes`.
 */
export async function forEachLineBytes(
  file: string,
  onLine: LineBytesSink,
  options: LineReadOptions = {},
): Promise<void> {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const onTooLong =
    options.onTooLong ??
    ((line: number, bytes: number) => {
      throw new Error(`tooltrail: line ${line} of ${file} is ${bytes} bytes, longer than ${maxLineBytes}`);
    });
  const splitter = new LineSplitter(onLine, onTooLong, maxLineBytes);
  const handle = await openFile(file, options);
  if (!handle) return;
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      splitter.push(buffer.subarray(0, bytesRead));
    }
    splitter.end();
  } finally {
    await handle.close();
  }
}

/** Opens `file` for reading as `options` say (`noFollow`, `onLink`); undefined when it was a link not followed. */
export async function openFile(file: string, options: LineReadOptions): Promise<FileHandle | undefined> {
  if (!options.noFollow) return open(file, 'r');
  try {
    return await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP' || !options.onLink) throw error;
    options.onLink();
    return undefined;
  }
}
