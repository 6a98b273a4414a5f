/**
 * The longest line a trail reader accepts: 256 MiB. With the default redaction limits the largest record the SDK
 * can write stays below it even with every character JSON-escaped (5,000 values, each a key and a value of at most
 * 2,048 characters at 6 bytes each: about 123 MB of arguments; the other fields are small). A longer line is
 * skipped without being held in memory and reported as one malformed line.
 */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Receives one line: `bytes[start, end)`, numbered from 1. Bytes past `end` belong to other lines. */
export type LineBytesSink = (bytes: Buffer, start: number, end: number, line: number) => void;

/** Receives a line longer than the limit (not held in memory): its number and length in bytes. */
export type LongLineSink = (line: number, bytes: number) => void;

const KEPT_BUFFER_BYTES = 1 << 20;
const CR = 13;
const LF = 10;

/**
 * Splits a byte stream into lines, chunk by chunk, the way `readline` with `crlfDelay: Infinity` does: \n, \r\n
 * and a lone \r end a line (also across chunks); empty lines are counted, not delivered. Memory: the pending part
 * of one line, never more than `maxLineBytes`; a longer line is counted while it is skipped.
 */
export class LineSplitter {
  private _pending = Buffer.alloc(0);
  private _pendingLength = 0;
  /** The current line passed the limit: its bytes are counted, not kept. */
  private _skipping = false;
  private _skippedBytes = 0;
  /** The last chunk ended with \r: a \n starting the next one belongs to it. */
  private _afterCr = false;
  private _number = 0;

  constructor(
    private readonly _onLine: LineBytesSink,
    private readonly _onTooLong: LongLineSink,
    private readonly _maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** Line numbers given so far: every line ended, empty and too-long lines included. */
  get lines(): number {
    return this._number;
  }

  /** The next bytes of the stream (valid only during the call). */
  push(chunk: Buffer): void {
    const length = chunk.length;
    let position = 0;
    if (this._afterCr) {
      this._afterCr = false;
      if (length > 0 && chunk[0] === LF) position = 1;
    }
    let nextCr = chunk.indexOf(CR, position);
    let nextLf = chunk.indexOf(LF, position);
    while (position < length) {
      if (nextCr !== -1 && nextCr < position) nextCr = chunk.indexOf(CR, position);
      if (nextLf !== -1 && nextLf < position) nextLf = chunk.indexOf(LF, position);
      let end: number;
      let next: number;
      if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)) {
        end = nextCr;
        if (end + 1 < length) next = chunk[end + 1] === LF ? end + 2 : end + 1;
        else {
          next = length;
          this._afterCr = true;
        }
      } else if (nextLf !== -1) {
        end = nextLf;
        next = end + 1;
      } else {
        this._keep(chunk, position, length);
        return;
      }
      this._endLine(chunk, position, end);
      position = next;
    }
  }

  /** The end of the stream: delivers an unterminated last line. */
  end(): void {
    if (this._skipping) this._endLine(this._pending, 0, 0);
    else if (this._pendingLength > 0) this._endLine(this._pending, 0, 0);
  }

  private _endLine(chunk: Buffer, start: number, end: number): void {
    const number = ++this._number;
    if (this._skipping) {
      const bytes = this._skippedBytes + (end - start);
      this._skipping = false;
      this._skippedBytes = 0;
      this._onTooLong(number, bytes);
      return;
    }
    if (this._pendingLength > 0) {
      const total = this._pendingLength + (end - start);
      if (total > this._maxLineBytes) {
        this._pendingLength = 0;
        this._onTooLong(number, total);
        return;
      }
      this._append(chunk, start, end);
      this._pendingLength = 0;
      this._onLine(this._pending, 0, total, number);
      // A long line's buffer is not kept for the rest of the file.
      if (this._pending.length > KEPT_BUFFER_BYTES) this._pending = Buffer.alloc(0);
      return;
    }
    if (end - start > this._maxLineBytes) this._onTooLong(number, end - start);
    else if (end > start) this._onLine(chunk, start, end, number);
  }

  /** Holds the unterminated end of a chunk, or counts it once the line has passed the limit. */
  private _keep(chunk: Buffer, start: number, end: number): void {
    if (this._skipping) {
      this._skippedBytes += end - start;
      return;
    }
    const total = this._pendingLength + (end - start);
    if (total > this._maxLineBytes) {
      this._skipping = true;
      this._skippedBytes = total;
      this._pendingLength = 0;
      return;
    }
    this._append(chunk, start, end);
  }

  private _append(chunk: Buffer, start: number, end: number): void {
    const total = this._pendingLength + (end - start);
    if (total > this._pending.length) {
      const larger = Buffer.allocUnsafe(
        Math.min(Math.max(total, this._pending.length * 2, 1 << 16), this._maxLineBytes),
      );
      this._pending.copy(larger, 0, 0, this._pendingLength);
      this._pending = larger;
    }
    chunk.copy(this._pending, this._pendingLength, start, end);
    this._pendingLength = total;
  }
}
