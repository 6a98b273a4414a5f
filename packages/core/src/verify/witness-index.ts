import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface WitnessIndexOptions {
  /** Hash pages (32 KiB each) kept in memory before pages spill to a temporary file (default 32). */
  residentPages?: number;
  /** Pages allocated before the records held allow more (default 16; tests make it small). */
  pageSlack?: number;
}

/**
 * What a witness (the collector archive, Loki, another copy of the trail) saw: the hash of each (chain, seq).
 * Bounded memory however many records it holds: per chain one presence byte per seq in memory, and 32 bytes of
 * hash per seq in pages of which only the most recently used stay in memory (`HashPages`: the others in a
 * temporary file). `close()` removes that file.
 */
export class WitnessIndex {
  private readonly _chains = new Map<string, WitnessChain>();
  private readonly _store: HashPages;
  /** Records the witness holds twice with different hashes: the witness itself saw a fork. */
  readonly conflicts: Array<{ chain: string; seq: number }> = [];
  private _records = 0;

  constructor(options: WitnessIndexOptions = {}) {
    this._store = new HashPages(options.residentPages ?? RESIDENT_PAGES, options.pageSlack ?? PAGE_SLACK);
  }

  /** Records added (duplicates included: at-least-once delivery repeats records). */
  get records(): number {
    return this._records;
  }

  get chainIds(): IterableIterator<string> {
    return this._chains.keys();
  }

  /** Adds a record with its hash, 64 lowercase hex digits (as the integrity checks require). */
  add(chain: string, seq: number, hashHex: string): void {
    hexScratch.write(hashHex, 0, 64, 'latin1');
    this.addHex(chain, seq, hexScratch, 0);
  }

  /** `add` with the 64 lowercase hex digits at `bytes[at]` (a scanned line's): no string per record. */
  addHex(chain: string, seq: number, bytes: Buffer, at: number): void {
    this._records++;
    let entry = this._chains.get(chain);
    if (!entry) {
      entry = new WitnessChain(seq, this._store);
      this._chains.set(chain, entry);
    }
    if (!entry.add(seq, bytes, at)) this.conflicts.push({ chain, seq });
  }

  chain(chain: string): WitnessChain | undefined {
    return this._chains.get(chain);
  }

  /** Hash pages allocated so far (each 32 KiB, in memory or in the temporary file, and 128 bytes of presence). */
  get pagesAllocated(): number {
    return this._store.allocated;
  }

  /** Pages spilled to the temporary file so far (0: all in memory). */
  get spilledPages(): number {
    return this._store.spilled;
  }

  /** Closes and removes the temporary file, if any (the index answers nothing afterwards). */
  close(): void {
    this._store.close();
  }
}

/** Seqs this far from the first one seen go to a map: a crafted seq cannot make the dense pages many. */
const MAX_DENSE_SPAN = 1 << 22;
/**
 * Seqs per page of the dense part: 32 bytes of hash and one presence bit each (32 KiB and 128 bytes a page). Small
 * pages keep the resident ones few MiB while still one per chain being read or compared (up to `RESIDENT_PAGES`).
 */
const PAGE_SEQS = 1024;

/** `add`'s hex digits as bytes. */
const hexScratch = Buffer.alloc(64);

/** The value of a lowercase hex digit's byte; 255 for any other byte. */
const HEX_VALUE = new Uint8Array(256).fill(255);
for (let digit = 0; digit < 16; digit++) HEX_VALUE['0123456789abcdef'.charCodeAt(digit)] = digit;

/**
 * Pages allocated before any record is held, and records held per page allocated after: a page (32 KiB of hash in
 * the temporary file, 128 bytes of presence in memory) costs at most 128 bytes of file and well under 4 bytes of
 * memory per record held. A genuine witness fills its pages (1,024 records each) and stays well within.
 */
const PAGE_SLACK = 16;
const RECORDS_PER_PAGE = 256;

/** Hash pages kept in memory by default: 32 × 32 KiB = 1 MiB. */
const RESIDENT_PAGES = 32;
const PAGE_BYTES = PAGE_SEQS * 32;

interface Page {
  /** The page's hashes in `HashPages`. */
  id: number;
  /** One bit per seq of the page: whether its hash is held. */
  present: Uint8Array;
}

function isPresent(page: Page, slot: number): boolean {
  return (((page.present[slot >> 3] as number) >> (slot & 7)) & 1) === 1;
}

/**
 * Pages of hashes, numbered as allocated: the `resident` most recently used in memory, the others in a temporary
 * file (mode 0600, under the OS temp directory, its directory removed as soon as it is open where the OS allows,
 * else at `close`). Witness records arrive, and trail records are compared, in seq order per chain, so each page
 * is written about once and read back about once.
 */
class HashPages {
  /** id → page bytes, least recently used first. */
  private readonly _resident = new Map<number, Buffer>();
  private readonly _dirty = new Set<number>();
  /** Whether a page id has its bytes in the file. */
  private readonly _onDisk: boolean[] = [];
  private _count = 0;
  private _fd: number | undefined;
  private _dir: string | undefined;
  /** The page the last `page` call returned. */
  private _lastId = -1;
  private _lastBytes: Buffer | undefined;
  private _lastDirty = false;
  spilled = 0;
  /** Distinct (chain, seq) held by the index, in pages or in maps. */
  held = 0;

  constructor(
    private readonly _capacity: number,
    private readonly _slack: number,
  ) {}

  get allocated(): number {
    return this._count;
  }

  /**
   * Whether another page may be allocated: at most the slack (`PAGE_SLACK`) plus one per `RECORDS_PER_PAGE` records held, so
   * a crafted sparse witness (one record per page, on one chain or on many) cannot make the pages outgrow the
   * records; the records refused a page go to their chain's map, which costs per record.
   */
  mayAllocate(): boolean {
    return this._count < this._slack + this.held / RECORDS_PER_PAGE;
  }

  allocate(): number {
    const id = this._count++;
    this._make(id);
    this._dirty.add(id);
    return id;
  }

  /** The bytes of page `id`, to read (`write` false) or to write. Valid until the next call. */
  page(id: number, write: boolean): Buffer {
    // The common case, records in seq order: the same page as the last call (already the most recently used).
    if (id === this._lastId && this._lastBytes) {
      if (write && !this._lastDirty) {
        this._dirty.add(id);
        this._lastDirty = true;
      }
      return this._lastBytes;
    }
    let bytes = this._resident.get(id);
    if (bytes) {
      // Most recently used: to the end of the map's order.
      this._resident.delete(id);
      this._resident.set(id, bytes);
    } else {
      bytes = this._make(id);
      if (this._onDisk[id]) readSync(this._fd as number, bytes, 0, PAGE_BYTES, id * PAGE_BYTES);
    }
    if (write) this._dirty.add(id);
    this._lastId = id;
    this._lastBytes = bytes;
    this._lastDirty = this._dirty.has(id);
    return bytes;
  }

  close(): void {
    this._resident.clear();
    this._lastBytes = undefined;
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = undefined;
    if (this._dir) rmSync(this._dir, { recursive: true, force: true });
    this._dir = undefined;
  }

  /** A resident buffer for `id` (contents undefined), evicting the least recently used page when full. */
  private _make(id: number): Buffer {
    let bytes: Buffer | undefined;
    if (this._resident.size >= this._capacity) {
      const [oldest, oldBytes] = this._resident.entries().next().value as [number, Buffer];
      this._resident.delete(oldest);
      if (oldest === this._lastId) this._lastBytes = undefined;
      if (this._dirty.delete(oldest)) {
        writeSync(this._file(), oldBytes, 0, PAGE_BYTES, oldest * PAGE_BYTES);
        if (!this._onDisk[oldest]) this.spilled++;
        this._onDisk[oldest] = true;
      }
      bytes = oldBytes;
    }
    bytes ??= Buffer.allocUnsafe(PAGE_BYTES);
    this._resident.set(id, bytes);
    return bytes;
  }

  private _file(): number {
    if (this._fd === undefined) {
      this._dir = mkdtempSync(join(tmpdir(), 'tooltrail-witness-'));
      this._fd = openSync(join(this._dir, 'hashes'), 'wx+', 0o600);
      try {
        // The open file outlives its name (POSIX): nothing is left behind if the process dies.
        rmSync(this._dir, { recursive: true, force: true });
        this._dir = undefined;
      } catch {}
    }
    return this._fd;
  }
}

/**
 * One chain as a witness saw it. Seqs near the first one seen are kept in pages allocated as they fill (memory
 * grows with the records, never by doubling a buffer); seqs far from it in a map.
 */
export class WitnessChain {
  private readonly _far = new Map<number, string>();
  private readonly _first: number;
  /** Seq of `_pages[0]`'s first slot (a multiple of PAGE_SEQS). */
  private _base: number;
  private readonly _pages: Array<Page | undefined> = [];
  private _count = 0;
  private _lastSeq = -1;
  private readonly _store: HashPages;

  constructor(firstSeq: number, store: HashPages) {
    this._store = store;
    this._first = firstSeq;
    this._base = firstSeq - (firstSeq % PAGE_SEQS);
  }

  /** Distinct seqs seen. */
  get count(): number {
    return this._count;
  }

  get lastSeq(): number {
    return this._lastSeq;
  }

  /** False when this seq was seen before with another hash (the 64 lowercase hex digits at `bytes[at]`). */
  add(seq: number, bytes: Buffer, at: number): boolean {
    if (seq < this._first - MAX_DENSE_SPAN || seq >= this._first + MAX_DENSE_SPAN)
      return this._addFar(seq, hexText(bytes, at));
    let offset = seq - this._base;
    let page = offset >= 0 ? this._pages[Math.floor(offset / PAGE_SEQS)] : undefined;
    if (!page) {
      // A seq refused a page earlier stays in the map: each seq is in exactly one place.
      if (this._far.size > 0 && this._far.has(seq)) return this._addFar(seq, hexText(bytes, at));
      if (!this._store.mayAllocate()) return this._addFar(seq, hexText(bytes, at));
      if (seq < this._base) {
        const shift = Math.ceil((this._base - seq) / PAGE_SEQS);
        this._pages.unshift(...new Array<undefined>(shift));
        this._base -= shift * PAGE_SEQS;
        offset = seq - this._base;
      }
      page = { id: this._store.allocate(), present: new Uint8Array(PAGE_SEQS / 8) };
      this._pages[Math.floor(offset / PAGE_SEQS)] = page;
    }
    const slot = offset % PAGE_SEQS;
    if (isPresent(page, slot)) return sameDigits(this._store.page(page.id, false), slot * 32, bytes, at);
    if (this._far.size > 0 && this._far.has(seq)) return this._addFar(seq, hexText(bytes, at));
    const hashes = this._store.page(page.id, true);
    const from = slot * 32;
    for (let k = 0; k < 32; k++) {
      const high = HEX_VALUE[bytes[at + 2 * k] as number] as number;
      const low = HEX_VALUE[bytes[at + 2 * k + 1] as number] as number;
      hashes[from + k] = (high << 4) | low;
    }
    const bits = page.present;
    bits[slot >> 3] = (bits[slot >> 3] as number) | (1 << (slot & 7));
    this._seen(seq);
    return true;
  }

  /** Adds to the map: the seqs far from the first one, and those refused a page (`HashPages.mayAllocate`). */
  private _addFar(seq: number, hashHex: string): boolean {
    const known = this._far.get(seq);
    if (known !== undefined) return known === hashHex;
    this._far.set(seq, hashHex);
    this._seen(seq);
    return true;
  }

  /** The witnessed hash of `seq`, or undefined when the witness never saw it. */
  hash(seq: number): string | undefined {
    const at = seq - this._base;
    const page = at >= 0 ? this._pages[Math.floor(at / PAGE_SEQS)] : undefined;
    const slot = at % PAGE_SEQS;
    if (page && isPresent(page, slot))
      return this._store.page(page.id, false).toString('hex', slot * 32, slot * 32 + 32);
    return this._far.get(seq);
  }

  /**
   * Whether the witnessed hash of `seq` is the 64 lowercase hex digits at `bytes[at]` (all 32 bytes compared), or
   * undefined when the witness never saw `seq`.
   */
  sameHash(seq: number, bytes: Uint8Array, at: number): boolean | undefined {
    const offset = seq - this._base;
    const page = offset >= 0 ? this._pages[Math.floor(offset / PAGE_SEQS)] : undefined;
    const slot = offset % PAGE_SEQS;
    if (page && isPresent(page, slot))
      return sameDigits(this._store.page(page.id, false), slot * 32, bytes, at);
    const far = this._far.get(seq);
    return far === undefined
      ? undefined
      : far === Buffer.from(bytes.subarray(at, at + 64)).toString('latin1');
  }

  /** Seqs in `[from, to]` the witness saw. */
  countBetween(from: number, to: number): number {
    let count = 0;
    const start = Math.max(0, from - this._base);
    const end = Math.min(this._pages.length * PAGE_SEQS - 1, to - this._base);
    for (let at = start; at <= end; at++) {
      const page = this._pages[Math.floor(at / PAGE_SEQS)];
      if (!page) at += PAGE_SEQS - 1 - (at % PAGE_SEQS);
      else if (isPresent(page, at % PAGE_SEQS)) count++;
    }
    for (const seq of this._far.keys()) if (seq >= from && seq <= to) count++;
    return count;
  }

  private _seen(seq: number): void {
    this._count++;
    this._store.held++;
    if (seq > this._lastSeq) this._lastSeq = seq;
  }
}

/** Whether the 32 bytes at `hashes[from]` are the 64 lowercase hex digits at `bytes[at]`. */
function sameDigits(hashes: Buffer, from: number, bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < 32; k++) {
    const high = HEX_VALUE[bytes[at + 2 * k] as number] as number;
    const low = HEX_VALUE[bytes[at + 2 * k + 1] as number] as number;
    if (high > 15 || low > 15 || hashes[from + k] !== ((high << 4) | low)) return false;
  }
  return true;
}

/** The 64 hex digits at `bytes[at]` as a string (for the map of far seqs). */
function hexText(bytes: Buffer, at: number): string {
  return bytes.toString('latin1', at, at + 64);
}
