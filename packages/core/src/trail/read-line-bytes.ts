import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { type LineBytesSink, LineSplitter, type LongLineSink, MAX_LINE_BYTES } from './line-splitter.js';

export type { LineBytesSink, LongLineSink };

/** How `forEachLineBytes` treats a line longer than the limit, and whether it may open a link. */
export interface LineReadOptions {
  /** Called for a line longer than `maxLineBytes` (skipped, not held). @default throws */
  onTooLong?: LongLineSink;
  /** @default MAX_LINE_BYTES (256 MiB) */
  maxLineBytes?: number;
  /**
   * For files found by listing a directory: do not open `file` if it is a symbolic link, and do not read it if it is
   * not a regular file (a FIFO would block the reader, a directory fail it): call `onSkipped` instead.
   */
  noFollow?: boolean;
  /** Called with the reason instead of reading when `noFollow` is set and `file` is skipped. @default throws */
  onSkipped?: (reason: string) => void;
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
    for await (const chunk of fileChunks(handle, file)) splitter.push(chunk);
    splitter.end();
  } finally {
    await handle.close();
  }
}

/**
 * The bytes of an open file, chunk by chunk (a chunk is only valid until the next one is asked for). A `*.gz` file
 * — a rotated collector-archive file compressed by the operator — is decompressed as it is read, so its records are
 * read like any other instead of the file being passed over.
 */
export async function* fileChunks(handle: FileHandle, file: string): AsyncGenerator<Buffer> {
  if (file.endsWith('.gz')) {
    const gunzip = createGunzip();
    const source = handle.createReadStream({ autoClose: false });
    source.on('error', (error) => gunzip.destroy(error));
    try {
      for await (const chunk of source.pipe(gunzip)) yield chunk as Buffer;
    } finally {
      // Stop reading before the caller closes the handle (after an error, or when it stops early).
      source.destroy();
    }
    return;
  }
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Opens `file` for reading as `options` say (`noFollow`, `onSkipped`); undefined when it was skipped. */
export async function openFile(file: string, options: LineReadOptions): Promise<FileHandle | undefined> {
  if (!options.noFollow) return open(file, 'r');
  let handle: FileHandle;
  try {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP' || !options.onSkipped) throw error;
    options.onSkipped(LINK_NOT_FOLLOWED);
    return undefined;
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  if (!options.onSkipped) throw new Error(`tooltrail: ${file}: ${NOT_A_FILE}`);
  options.onSkipped(NOT_A_FILE);
  return undefined;
}

/** Why a symbolic link found in a trail directory is not read. */
export const LINK_NOT_FOLLOWED = 'a symbolic link in a trail directory: not followed, not read';

/** Why a FIFO, device or directory with a trail file's name is not read. */
export const NOT_A_FILE = 'not a regular file (a FIFO, device or directory with a trail file name): not read';
