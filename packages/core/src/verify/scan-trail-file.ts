import type { FileHandle } from 'node:fs/promises';
import {
  type LineBytesSink,
  LineSplitter,
  type LongLineSink,
  MAX_LINE_BYTES,
} from '../trail/line-splitter.js';
import { type LineReadOptions, openFile } from '../trail/read-line-bytes.js';
import type { ScanPool, ScanResult } from './scan-pool.js';

/**
 * Bytes per run of lines sent to a worker: 512 KiB. Each worker holds two runs in flight and a copy of one in its
 * WebAssembly memory, so the run size sets most of verify's resident memory; larger runs save little time.
 */
const RUN_BYTES = 1 << 19;
const LF = 10;

/** Where the lines of a trail file go, in file order. */
export interface ScannedFileSink {
  /** A scanned run; its line numbers are `lineBase` + the run's own. */
  onRun(run: ScanResult, lineBase: number): void;
  /** A line read on the calling thread (the rest of a file after a line longer than a run). */
  onLine: LineBytesSink;
  onTooLong: LongLineSink;
}

/**
 * Reads a trail file in runs of whole lines (cut after the run's last \n), has the pool scan them — at most two
 * runs in flight per worker, so memory stays bounded — and hands the results to `sink` in file order. Lines end
 * and are numbered as `forEachLineBytes` ends and numbers them: each run starts at a line's start. A line longer
 * than a run sends the rest of the file through a `LineSplitter` on this thread (lines up to `MAX_LINE_BYTES`).
 */
export async function scanTrailFile(
  file: string,
  pool: ScanPool,
  sink: ScannedFileSink,
  options: Pick<LineReadOptions, 'noFollow' | 'onSkipped'> = {},
): Promise<void> {
  const handle = await openFile(file, options);
  if (!handle) return;
  const inFlight: Array<Promise<ScanResult>> = [];
  const maxInFlight = Math.max(1, pool.threads * 2);
  let lineBase = 0;
  const take = () => pool.spareBuffer() ?? new ArrayBuffer(RUN_BYTES);
  const apply = (run: ScanResult) => {
    sink.onRun(run, lineBase);
    lineBase += run.lines;
    pool.recycle(run);
  };
  try {
    let buffer = take();
    let filled = 0;
    for (;;) {
      const view = Buffer.from(buffer);
      const { bytesRead } = await handle.read(view, filled, RUN_BYTES - filled, null);
      filled += bytesRead;
      const end = bytesRead === 0;
      if (!end && filled < RUN_BYTES) continue;
      if (filled === 0) break;
      const cut = end ? filled : view.lastIndexOf(LF, filled - 1) + 1;
      if (cut === 0) {
        pool.recycle({ buffer });
        // No line break in a whole run: finish in order, then read the rest of the file on this thread.
        for (const run of inFlight.splice(0)) apply(await run);
        await splitRest(handle, view.subarray(0, filled), lineBase, sink);
        return;
      }
      const next = take();
      view.copy(Buffer.from(next), 0, cut, filled);
      inFlight.push(pool.scan(buffer, cut, MAX_LINE_BYTES));
      if (inFlight.length >= maxInFlight) apply(await (inFlight.shift() as Promise<ScanResult>));
      buffer = next;
      filled -= cut;
      if (end) break;
    }
    for (const run of inFlight.splice(0)) apply(await run);
  } finally {
    // A failed run leaves others in flight: let them settle before the file is closed.
    await Promise.allSettled(inFlight);
    await handle.close();
  }
}

/** The rest of a file, from `head` on, split on this thread (numbers continue from `lineBase`). */
async function splitRest(
  handle: FileHandle,
  head: Buffer,
  lineBase: number,
  sink: ScannedFileSink,
): Promise<void> {
  const splitter = new LineSplitter(
    (bytes, start, end, line) => sink.onLine(bytes, start, end, lineBase + line),
    (line, bytes) => sink.onTooLong(lineBase + line, bytes),
  );
  splitter.push(head);
  const chunk = Buffer.allocUnsafe(RUN_BYTES);
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, RUN_BYTES, null);
    if (bytesRead === 0) break;
    splitter.push(chunk.subarray(0, bytesRead));
  }
  splitter.end();
}
