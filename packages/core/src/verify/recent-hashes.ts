/** Where linked records' hashes stand: `hashAt(i)` is the offset of record `i`'s 64 hex digits in `bytes`. */
export interface HashedBytes {
  bytes: Uint8Array;
  hashAt(i: number): number;
}

/**
 * The hashes of the last `capacity` accepted records, oldest first. Accepted seqs only ever increase, so a ring
 * searched by bisection replaces a map (no per-record allocation; lookups happen only for duplicates). Hashes are
 * kept as their 64 hex digits in one buffer: holding a million hash strings for a while each would grow the heap
 * (they outlive young GCs), and a linked stretch copies them straight from the bytes read.
 */
export class RecentHashes {
  private readonly _seqs: Float64Array;
  private readonly _hashes: Buffer;
  private readonly _view: DataView;
  private _start = 0;
  private _count = 0;

  constructor(private readonly _capacity: number) {
    this._seqs = new Float64Array(_capacity);
    this._hashes = Buffer.alloc(_capacity * 64);
    this._view = new DataView(this._hashes.buffer, this._hashes.byteOffset, this._hashes.byteLength);
  }

  /** `hash` is 64 lowercase hex digits (checked before a record is accepted). */
  push(seq: number, hash: string): void {
    this._hashes.write(hash, this._slot(seq) * 64, 64, 'latin1');
  }

  /** The seqs and hashes of linked records (`count` of them, `firstSeq …`). */
  pushRange(firstSeq: number, count: number, records: HashedBytes): void {
    // Only the newest `capacity` stay: older ones would be overwritten anyway.
    const { bytes } = records;
    // 4 bytes at a time through DataViews: a view per record (subarray) costs several times more.
    const from = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const to = this._view;
    for (let i = Math.max(0, count - this._capacity); i < count; i++) {
      const source = records.hashAt(i);
      const target = this._slot(firstSeq + i) * 64;
      for (let k = 0; k < 64; k += 4) to.setUint32(target + k, from.getUint32(source + k));
    }
  }

  get(seq: number): string | undefined {
    let low = 0;
    let high = this._count - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const at = (this._start + middle) % this._capacity;
      const found = this._seqs[at] as number;
      if (found === seq) return this._hashes.toString('latin1', at * 64, at * 64 + 64);
      if (found < seq) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** The slot for the next seq (the oldest is dropped when full). */
  private _slot(seq: number): number {
    const at = (this._start + this._count) % this._capacity;
    this._seqs[at] = seq;
    if (this._count < this._capacity) this._count++;
    else this._start = (this._start + 1) % this._capacity;
    return at;
  }
}
