import { closeSync, constants, readSync } from 'node:fs';
import { join } from 'node:path';
import type { SealedRecord } from '../chain/hash-chain.js';
import { openRegularFile, refusedFile } from '../keys/strict-modes.js';
import { MAX_LINE_BYTES } from './line-splitter.js';
import { chainSegments } from './list-trail.js';

const CHUNK_BYTES = 256 * 1024;
/** Bytes scanned per `read()` call at most, so that reading back never blocks the agent for long. */
const MAX_SCAN_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/** A record read back from the trail, with where its line ends (segment number, byte offset after it). */
export interface TrailRecord extends SealedRecord {
  segment: number;
  end: number;
}

/** Where a reader resumes: the segment number and the byte offset of the next line. */
export interface TrailOffset {
  segment: number;
  offset: number;
}

/**
 * Reads one chain's records back from its trail segments, in order, resuming where it stopped: what the
 * log shipper uses for records that overflowed its memory queue and for chains of earlier processes.
 * Synchronous on purpose: the trail is appended synchronously too, so "read up to the end" is exact.
 */
export class ChainTrailReader {
  private _segment = 0;
  private _segmentNumber = 0;
  private _offset = 0;
  private _fd: number | undefined;
  /** The unterminated end of the last chunk read: `_partial[0, _partialLength)`. */
  private _partial: Buffer = Buffer.alloc(0);
  private _partialLength = 0;
  /** The current line passed `maxLineBytes`: skipped to its end, not held. */
  private _skipping = false;
  private readonly _buffered: TrailRecord[] = [];
  private _seekTo: TrailOffset | undefined;
  private _consumed: TrailOffset | undefined;
  /** Lines that were not valid records (torn or foreign), and links or non-regular files at a segment's name. */
  skipped = 0;
  /** Whether the last `read()` reached the end of what is written (rather than its scan budget). */
  atEnd = false;

  constructor(
    private readonly _dir: string,
    private readonly _chain: string,
    /** Longer lines are skipped (counted in `skipped`), never held: the verifier's limit. */
    private readonly _maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /**
   * Starts reading at a saved offset instead of the first segment (before the first `read`). A segment
   * deleted since (retention) is skipped: reading resumes at the next one that exists.
   */
  seek(to: TrailOffset): void {
    this._seekTo = to;
  }

  /** The end of the last complete line read (records returned, skipped, or at or below `after`). */
  get consumed(): TrailOffset | undefined {
    return this._consumed;
  }

  /** Up to `max` records with seq > `after`; see `atEnd` for whether the written end was reached. */
  read(max: number, after: number): TrailRecord[] {
    const out: TrailRecord[] = [];
    this.atEnd = false;
    while (this._buffered.length > 0 && out.length < max) {
      const item = this._buffered.shift()!;
      if (item.record.seq > after) out.push(item);
    }
    let scanned = 0;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    while (out.length < max && scanned < MAX_SCAN_BYTES) {
      const fd = this._open();
      if (fd === undefined) {
        this.atEnd = true;
        break;
      }
      const bytes = readSync(fd, chunk, 0, CHUNK_BYTES, this._offset);
      if (bytes === 0) {
        if (this._nextSegment()) continue;
        // An unterminated tail already past the line limit is no record, whatever follows: consumed, so that a
        // replay saving this end never scans it again (gigabytes of a sparse file would be scanned at every start).
        if (this._skipping) this._consumed = { segment: this._segmentNumber, offset: this._offset };
        this.atEnd = true;
        break;
      }
      this._offset += bytes;
      scanned += bytes;
      this._split(chunk.subarray(0, bytes), after, max, out);
    }
    return out;
  }

  close(): void {
    if (this._fd !== undefined) {
      try {
        closeSync(this._fd);
      } catch {
        // Nothing left to release.
      }
    }
    this._fd = undefined;
  }

  private _split(data: Buffer, after: number, max: number, out: TrailRecord[]): void {
    // File offset of data[0]: the chunk was read at `_offset - data.length`.
    const base = this._offset - data.length;
    let start = 0;
    for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
      const line = this._completeLine(data, start, end);
      start = end + 1;
      this._consumed = { segment: this._segmentNumber, offset: base + start };
      if (line === undefined) continue;
      const sealed = parseLine(line);
      if (!sealed) {
        if (line.length > 0) this.skipped++;
        continue;
      }
      if (sealed.record.seq <= after) continue;
      const item: TrailRecord = { ...sealed, segment: this._segmentNumber, end: base + start };
      if (out.length < max) out.push(item);
      else this._buffered.push(item);
    }
    this._keepPartial(data, start);
  }

  /** The line ending at `data[end]` (its start may be held from earlier chunks); undefined when too long. */
  private _completeLine(data: Buffer, start: number, end: number): string | undefined {
    if (this._skipping) {
      this._skipping = false;
      this.skipped++;
      return undefined;
    }
    if (this._partialLength === 0) {
      if (end - start <= this._maxLineBytes) return data.toString('utf8', start, end);
      this.skipped++;
      return undefined;
    }
    const total = this._partialLength + (end - start);
    const held = this._partial.subarray(0, this._partialLength);
    this._dropPartial();
    if (total <= this._maxLineBytes) return Buffer.concat([held, data.subarray(start, end)]).toString('utf8');
    this.skipped++;
    return undefined;
  }

  /**
   * Holds the unterminated end of a chunk (a copy: `data` is reused), in a buffer grown by doubling; once the
   * line passes `maxLineBytes` it is skipped to its end instead, so memory stays bounded.
   */
  private _keepPartial(data: Buffer, start: number): void {
    const tail = data.length - start;
    if (tail === 0 || this._skipping) return;
    const total = this._partialLength + tail;
    if (total > this._maxLineBytes) {
      this._dropPartial();
      this._skipping = true;
      return;
    }
    if (total > this._partial.length) {
      const larger = Buffer.allocUnsafe(
        Math.min(Math.max(total, this._partial.length * 2), this._maxLineBytes),
      );
      this._partial.copy(larger, 0, 0, this._partialLength);
      this._partial = larger;
    }
    data.copy(this._partial, this._partialLength, start);
    this._partialLength = total;
  }

  private _dropPartial(): void {
    this._partialLength = 0;
    if (this._partial.length > CHUNK_BYTES) this._partial = Buffer.alloc(0);
  }

  private _open(): number | undefined {
    if (this._fd !== undefined) return this._fd;
    const segments = chainSegments(this._dir, this._chain);
    if (this._seekTo) {
      const { segment, offset } = this._seekTo;
      this._seekTo = undefined;
      const index = segments.findIndex((file) => file.segment >= segment);
      if (index === -1) {
        this._segment = segments.length;
      } else {
        this._segment = index;
        this._offset = segments[index]!.segment === segment ? offset : 0;
      }
    }
    for (; this._segment < segments.length; this._segment++, this._offset = 0) {
      const file = segments[this._segment]!;
      this._segmentNumber = file.segment;
      try {
        // A link planted at a segment's name is not followed (its target is not shipped as records), and a
        // FIFO, directory or device there is not read (a FIFO would block the agent's thread for ever).
        this._fd = openRegularFile(join(this._dir, file.name), constants.O_RDONLY, 'trail segment').fd;
        return this._fd;
      } catch (error) {
        if (!refusedFile(error)) return undefined;
        // Not a segment at all: skipped like a foreign line, reading goes on with the next one.
        this.skipped++;
      }
    }
    return undefined;
  }

  /** Moves to the next segment if one exists (a torn last line of the previous one is dropped). */
  private _nextSegment(): boolean {
    const segments = chainSegments(this._dir, this._chain);
    if (this._segment + 1 >= segments.length) return false;
    if (this._partialLength > 0 || this._skipping) this.skipped++;
    this._dropPartial();
    this._skipping = false;
    this._segment++;
    this._offset = 0;
    this.close();
    return true;
  }
}

function parseLine(line: string): SealedRecord | undefined {
  if (line.length === 0) return undefined;
  try {
    const record = JSON.parse(line) as SealedRecord['record'];
    if (record === null || typeof record !== 'object' || !Number.isSafeInteger(record.seq)) return undefined;
    if (typeof record.type !== 'string' || typeof record.chain !== 'string') return undefined;
    return { record, line };
  } catch {
    return undefined;
  }
}
