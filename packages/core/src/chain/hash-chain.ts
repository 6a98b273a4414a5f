import { GENESIS_HASH, RECORD_VERSION } from '../record/audit-record.js';
import { type CapturedMembers, sealRecord } from './record-hash.js';

/** A record sealed into the chain: the object and the exact line that is stored and exported. */
export interface SealedRecord {
  record: Record<string, unknown> & { seq: number; hash: string; type: string; chain: string };
  line: string;
}

/**
 * One process's hash chain: assigns `seq` and `prev`, computes `hash`. Appending is synchronous, so the
 * order of records is the order of `append` calls.
 */
export class HashChain {
  readonly id: string;
  private _nextSeq: number;
  private _head: string;

  constructor(options: { id: string; nextSeq?: number; head?: string }) {
    this.id = options.id;
    this._nextSeq = options.nextSeq ?? 0;
    this._head = options.head ?? GENESIS_HASH;
  }

  get nextSeq(): number {
    return this._nextSeq;
  }

  get head(): string {
    return this._head;
  }

  /** Seals `fields` (everything but v/chain/seq/prev/hash) as the next record; `fields` is left as it was. */
  append(type: string, ts: string, fields: Record<string, unknown>): SealedRecord {
    // Object.assign + stores, not `{ ...fields, v, ... }`: V8's spread of a large object literal costs ~5 µs
    // per record. Same own properties; a `__proto__` own key (assign would call the setter) takes the spread.
    const record: Record<string, unknown> = Object.hasOwn(fields, '__proto__')
      ? { ...fields }
      : Object.assign({}, fields);
    return this.appendOwned(type, ts, record);
  }

  /**
   * Seals `record` itself as the next record: the chain fields are set on it and it becomes the sealed record.
   * For callers that built `record` for this call alone (no copy); it must be an ordinary object whose own
   * properties are the record's fields (a `__proto__` own key is fine: it is stored, not used as a setter).
   * `captured` receives the canonical JSON of the `args` and `result` members.
   */
  appendOwned(
    type: string,
    ts: string,
    record: Record<string, unknown>,
    captured?: CapturedMembers,
  ): SealedRecord {
    record.v = RECORD_VERSION;
    record.type = type;
    record.chain = this.id;
    record.seq = this._nextSeq;
    record.prev = this._head;
    record.ts = ts;
    return this.appendPrepared(record, captured);
  }

  /** Seals a record whose chain fields were filled by `prepare()` (checkpoints sign before sealing). */
  appendPrepared(record: Record<string, unknown>, captured?: CapturedMembers): SealedRecord {
    const { hash, line } = sealRecord(record, captured);
    record.hash = hash;
    const sealed = record as SealedRecord['record'];
    this._nextSeq++;
    this._head = hash;
    return { record: sealed, line };
  }

  /** The chain fields the next record will get. */
  prepare(
    type: string,
    ts: string,
  ): { v: number; type: string; chain: string; seq: number; prev: string; ts: string } {
    return { v: RECORD_VERSION, type, chain: this.id, seq: this._nextSeq, prev: this._head, ts };
  }
}
