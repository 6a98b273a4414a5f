import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainFields } from './record-integrity.js';
import type { Where } from './verify-types.js';

/** A record held for sorting, with its arrival number (equal seqs keep their arrival order). */
export interface HeldRecord {
  record: ChainFields;
  where: Where;
  arrival: number;
}

/**
 * Puts the records of a source delivered by time or arrival (Loki, the collector archive) back in chain order —
 * chain by chain (by id), each by seq, equal seqs in arrival order — with bounded memory: past `maxHeld` records,
 * the held ones are sorted and spilled as a run to a temporary file (mode 0600, under the OS temp directory,
 * removed when the records have been handed back), and the runs are merged at the end.
 */
export class SeqSorter {
  private _held: HeldRecord[] = [];
  private _runs: string[] = [];
  private _dir: string | undefined;
  private _arrival = 0;

  constructor(private readonly _maxHeld: number) {}

  /** Records handed to `add` so far. */
  get count(): number {
    return this._arrival;
  }

  add(record: ChainFields, where: Where): void {
    this._held.push({ record: slim(record), where, arrival: this._arrival++ });
    if (this._held.length >= this._maxHeld) this._spill();
  }

  /** Every record added, in chain order; removes the temporary files (also when the caller stops early). */
  *drain(): Generator<HeldRecord> {
    let readers: RunReader[] = [];
    try {
      if (this._runs.length === 0) {
        this._held.sort(compare);
        yield* this._held;
        return;
      }
      if (this._held.length > 0) this._spill();
      readers = this._runs.map((file) => new RunReader(file));
      yield* merge(readers);
    } finally {
      for (const reader of readers) reader.close();
      this._held = [];
      if (this._dir) rmSync(this._dir, { recursive: true, force: true });
      this._dir = undefined;
      this._runs = [];
    }
  }

  private _spill(): void {
    this._held.sort(compare);
    this._dir ??= mkdtempSync(join(tmpdir(), 'tooltrail-verify-'));
    const file = join(this._dir, `run-${this._runs.length}.jsonl`);
    const fd = openSync(file, 'wx', 0o600);
    try {
      const batch = 4096;
      for (let start = 0; start < this._held.length; start += batch) {
        let text = '';
        for (const held of this._held.slice(start, start + batch)) {
          text += `${JSON.stringify([held.arrival, held.where.file ?? null, held.where.line ?? null, held.record])}\n`;
        }
        const data = Buffer.from(text);
        let offset = 0;
        while (offset < data.length) offset += writeSync(fd, data, offset);
      }
    } finally {
      closeSync(fd);
    }
    this._runs.push(file);
    this._held = [];
  }
}

/** Chain id, then seq, then arrival (ids compared by UTF-16 code units, the same in the sort and the merge). */
function compare(a: HeldRecord, b: HeldRecord): number {
  const x = a.record.chain;
  const y = b.record.chain;
  if (x !== y) return x < y ? -1 : 1;
  return a.record.seq - b.record.seq || a.arrival - b.arrival;
}

/**
 * What the chain verifier reads of a record. Checkpoints (the signature covers every field) and intents (their
 * tool names an open call) are kept whole; other records keep only their chain fields.
 */
function slim(record: ChainFields): ChainFields {
  if (record.type === 'checkpoint' || record.type === 'intent') return record;
  const { v, type, chain, seq, prev, hash, intent_seq } = record;
  const kept: ChainFields = { v, type, chain, seq, prev, hash };
  if (typeof intent_seq === 'number') kept.intent_seq = intent_seq;
  return kept;
}

/** Reads back one spilled run, line by line, with a bounded buffer. */
class RunReader {
  private _fd: number | undefined;
  private _buffer = Buffer.allocUnsafe(1 << 16);
  private _start = 0;
  private _end = 0;
  private _eof = false;

  constructor(file: string) {
    this._fd = openSync(file, 'r');
  }

  next(): HeldRecord | undefined {
    for (;;) {
      const newline = this._buffer.indexOf(10, this._start);
      if (newline !== -1 && newline < this._end) {
        const [arrival, file, line, record] = JSON.parse(
          this._buffer.toString('utf8', this._start, newline),
        ) as [number, string | null, number | null, ChainFields];
        this._start = newline + 1;
        const where: Where = {};
        if (file !== null) where.file = file;
        if (line !== null) where.line = line;
        return { record, where, arrival };
      }
      if (this._eof) {
        this.close();
        return undefined;
      }
      this._fill();
    }
  }

  close(): void {
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = undefined;
  }

  private _fill(): void {
    // Keep the partial line at the front; grow for a line longer than the buffer.
    const rest = this._end - this._start;
    if (rest === this._buffer.length) {
      const larger = Buffer.allocUnsafe(this._buffer.length * 2);
      this._buffer.copy(larger, 0, this._start, this._end);
      this._buffer = larger;
    } else {
      this._buffer.copy(this._buffer, 0, this._start, this._end);
    }
    this._start = 0;
    this._end = rest;
    const read = readSync(this._fd as number, this._buffer, rest, this._buffer.length - rest, null);
    if (read === 0) this._eof = true;
    this._end += read;
  }
}

/** k-way merge of sorted runs with a binary heap of their heads. */
function* merge(readers: RunReader[]): Generator<HeldRecord> {
  const heap: Array<{ head: HeldRecord; reader: RunReader }> = [];
  const less = (i: number, j: number) => compare(heap[i]!.head, heap[j]!.head) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const reader of readers) {
    const head = reader.next();
    if (head) heap.push({ head, reader });
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.head;
    const head = top.reader.next();
    if (head) top.head = head;
    else {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length > 0) down(0);
  }
}
