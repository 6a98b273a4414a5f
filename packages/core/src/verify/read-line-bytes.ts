import { open } from 'node:fs/promises';

/** Receives one line: `bytes[start, end)`, numbered from 1. Bytes past `end` belong to other lines. */
export type LineBytesSink = (bytes: Buffer, start: number, end: number, line: number) => void;

const CHUNK_BYTES = 1 << 20;
const CR = 13;
const LF = 10;

/**
 * Reads a file line by line as bytes, without decoding: the verifier's fast path hashes and scans the bytes
 * themselves. Lines end like `readTrailLines` ends them (\n, \r\n, and a lone \r) and get the same numbers;
 * empty lines are counted, not delivered. Memory: one chunk (grown only for a line longer than it).
 */
export async function forEachLineBytes(file: string, onLine: LineBytesSink): Promise<void> {
  const handle = await open(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    let number = 0;
    for (;;) {
      if (filled === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      filled += bytesRead;
      const view = buffer.subarray(0, filled);
      let start = 0;
      let nextCr = view.indexOf(CR);
      for (let end = view.indexOf(LF); end !== -1; end = view.indexOf(LF, start)) {
        if (nextCr !== -1 && nextCr < start) nextCr = view.indexOf(CR, start);
        number = emit(view, start, end, nextCr !== -1 && nextCr < end, number, onLine);
        start = end + 1;
      }
      if (bytesRead === 0) {
        if (start < filled) {
          if (nextCr !== -1 && nextCr < start) nextCr = view.indexOf(CR, start);
          emit(view, start, filled, nextCr !== -1, number, onLine);
        }
        return;
      }
      buffer.copy(buffer, 0, start, filled);
      filled -= start;
    }
  } finally {
    await handle.close();
  }
}

/** Delivers `[start, end)` minus one trailing \r, split at lone \r; returns the last line number used. */
function emit(
  bytes: Buffer,
  start: number,
  end: number,
  hasCr: boolean,
  number: number,
  onLine: LineBytesSink,
): number {
  if (!hasCr) {
    number++;
    if (end > start) onLine(bytes, start, end, number);
    return number;
  }
  const stop = end > start && bytes[end - 1] === CR ? end - 1 : end;
  let from = start;
  for (let at = bytes.indexOf(CR, from); at !== -1 && at < stop; at = bytes.indexOf(CR, from)) {
    number++;
    if (at > from) onLine(bytes, from, at, number);
    from = at + 1;
  }
  number++;
  if (stop > from) onLine(bytes, from, stop, number);
  return number;
}
