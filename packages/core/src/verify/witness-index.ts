/**
 * What a witness (the collector archive, Loki, another copy of the trail) saw: the hash of each (chain, seq).
 * Compact so millions of records fit: per chain, 32 bytes of hash and one presence byte per seq, in growable
 * buffers indexed from the lowest seq seen.
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

/** Seqs this far from the lowest one seen go to a map: a crafted seq cannot make the dense buffers huge. */
const MAX_DENSE_SPAN = 1 << 22;

/** One chain as a witness saw it. */
export class WitnessChain {
  private readonly _far = new Map<number, string>();
  private _base: number;
  private _hashes: Buffer;
  private _present: Uint8Array;
  private _count = 0;
  private _lastSeq = -1;

  constructor(firstSeq: number) {
    this._base = firstSeq;
    this._hashes = Buffer.alloc(64 * 32);
    this._present = new Uint8Array(64);
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
    if (seq < this._base - MAX_DENSE_SPAN || seq >= this._base + MAX_DENSE_SPAN) {
      const known = this._far.get(seq);
      if (known !== undefined) return known === hashHex;
      this._far.set(seq, hashHex);
      this._count++;
      if (seq > this._lastSeq) this._lastSeq = seq;
      return true;
    }
    if (seq < this._base) this._rebase(seq);
    const at = seq - this._base;
    if (at >= this._present.length) this._grow(at + 1);
    if (this._present[at] === 1) return this._hashes.toString('hex', at * 32, at * 32 + 32) === hashHex;
    this._hashes.write(hashHex, at * 32, 32, 'hex');
    this._present[at] = 1;
    this._count++;
    if (seq > this._lastSeq) this._lastSeq = seq;
    return true;
  }

  /** The witnessed hash of `seq`, or undefined when the witness never saw it. */
  hash(seq: number): string | undefined {
    const at = seq - this._base;
    if (at < 0 || at >= this._present.length || this._present[at] !== 1) return this._far.get(seq);
    return this._hashes.toString('hex', at * 32, at * 32 + 32);
  }

  /** Seqs in `[from, to]` the witness saw. */
  countBetween(from: number, to: number): number {
    let count = 0;
    const start = Math.max(0, from - this._base);
    const end = Math.min(this._present.length - 1, to - this._base);
    for (let at = start; at <= end; at++) count += this._present[at] as number;
    for (const seq of this._far.keys()) if (seq >= from && seq <= to) count++;
    return count;
  }

  private _grow(size: number): void {
    let capacity = this._present.length;
    while (capacity < size) capacity *= 2;
    const present = new Uint8Array(capacity);
    present.set(this._present);
    const hashes = Buffer.alloc(capacity * 32);
    this._hashes.copy(hashes);
    this._present = present;
    this._hashes = hashes;
  }

  private _rebase(seq: number): void {
    const shift = this._base - seq;
    const present = new Uint8Array(this._present.length + shift);
    present.set(this._present, shift);
    const hashes = Buffer.alloc(present.length * 32);
    this._hashes.copy(hashes, shift * 32);
    this._present = present;
    this._hashes = hashes;
    this._base = seq;
  }
}
