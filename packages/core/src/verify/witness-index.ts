/**
 * What a witness (the collector archive, Loki, another copy of the trail) saw: the hash of each (chain, seq).
 * Compact so millions of records fit: per chain, 32 bytes of hash and one presence byte per seq, in pages
 * allocated as seqs arrive.
 */
export class WitnessIndex {
  private readonly _chains = new Map<string, WitnessChain>();
  /** Records the witness holds twice with different hashes: the witness itself saw a fork. */
  readonly conflicts: Array<{ chain: string; seq: number }> = [];
  private _records = 0;

  /** Records added (duplicates included: at-least-once delivery repeats records). */
  get records(): number {
    return this._records;
  }

  get chainIds(): IterableIterator<string> {
    return this._chains.keys();
  }

  add(chain: string, seq: number, hashHex: string): void {
    this._records++;
    let entry = this._chains.get(chain);
    if (!entry) {
      entry = new WitnessChain(seq);
      this._chains.set(chain, entry);
    }
    if (!entry.add(seq, hashHex)) this.conflicts.push({ chain, seq });
  }

  chain(chain: string): WitnessChain | undefined {
    return this._chains.get(chain);
  }
}

/** Seqs this far from the first one seen go to a map: a crafted seq cannot make the dense pages many. */
const MAX_DENSE_SPAN = 1 << 22;
/** Seqs per page of the dense part: 32 bytes of hash and one presence byte each (132 KiB a page). */
const PAGE_SEQS = 4096;

/** The value of a lowercase hex digit's byte; 255 for any other byte. */
const HEX_VALUE = new Uint8Array(256).fill(255);
for (let digit = 0; digit < 16; digit++) HEX_VALUE['0123456789abcdef'.charCodeAt(digit)] = digit;

interface Page {
  hashes: Buffer;
  present: Uint8Array;
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

  constructor(firstSeq: number) {
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

  /** False when this seq was seen before with another hash. */
  add(seq: number, hashHex: string): boolean {
    if (seq < this._first - MAX_DENSE_SPAN || seq >= this._first + MAX_DENSE_SPAN) {
      const known = this._far.get(seq);
      if (known !== undefined) return known === hashHex;
      this._far.set(seq, hashHex);
      this._seen(seq);
      return true;
    }
    if (seq < this._base) {
      const shift = Math.ceil((this._base - seq) / PAGE_SEQS);
      this._pages.unshift(...new Array<undefined>(shift));
      this._base -= shift * PAGE_SEQS;
    }
    const at = seq - this._base;
    const index = Math.floor(at / PAGE_SEQS);
    let page = this._pages[index];
    if (!page) {
      page = { hashes: Buffer.allocUnsafe(PAGE_SEQS * 32), present: new Uint8Array(PAGE_SEQS) };
      this._pages[index] = page;
    }
    const slot = at % PAGE_SEQS;
    if (page.present[slot] === 1) return page.hashes.toString('hex', slot * 32, slot * 32 + 32) === hashHex;
    page.hashes.write(hashHex, slot * 32, 32, 'hex');
    page.present[slot] = 1;
    this._seen(seq);
    return true;
  }

  /** The witnessed hash of `seq`, or undefined when the witness never saw it. */
  hash(seq: number): string | undefined {
    const at = seq - this._base;
    const page = at >= 0 ? this._pages[Math.floor(at / PAGE_SEQS)] : undefined;
    const slot = at % PAGE_SEQS;
    if (page?.present[slot] === 1) return page.hashes.toString('hex', slot * 32, slot * 32 + 32);
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
    if (page?.present[slot] === 1) {
      const hashes = page.hashes;
      const from = slot * 32;
      for (let k = 0; k < 32; k++) {
        const high = HEX_VALUE[bytes[at + 2 * k] as number] as number;
        const low = HEX_VALUE[bytes[at + 2 * k + 1] as number] as number;
        if (high > 15 || low > 15 || hashes[from + k] !== ((high << 4) | low)) return false;
      }
      return true;
    }
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
      else count += page.present[at % PAGE_SEQS] as number;
    }
    for (const seq of this._far.keys()) if (seq >= from && seq <= to) count++;
    return count;
  }

  private _seen(seq: number): void {
    this._count++;
    if (seq > this._lastSeq) this._lastSeq = seq;
  }
}
