import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from '../record/audit-record.js';
import type { RetentionAnchor } from '../trail/retention-anchor.js';
import { type ChainEnd, judgeChainEnd } from './chain-verdict.js';
import { RecentHashes } from './recent-hashes.js';
import { type ChainFields, checkSignature } from './record-integrity.js';
import { retentionAnchorProblem } from './retention-anchor-problem.js';
import type { ChainSummary, VerifyProblem, Where } from './verify-types.js';
import type { WitnessChain } from './witness-index.js';

/** Records held while waiting for a missing predecessor; past this, the missing ones are declared a gap. */
const REORDER_WINDOW = 1024;
/** Recent hashes kept to tell a duplicate from a record out of place. */
const RECENT_HASHES = 4096;

interface Pending {
  record: ChainFields;
  where: Where;
}

export interface ChainVerifierOptions {
  chain: string;
  pinned: KeyObject[] | Map<string, KeyObject> | undefined;
  report: (problem: VerifyProblem) => void;
  /** Signed retention anchors of this chain: a head cut they account for is not `truncated`. */
  anchors?: readonly RetentionAnchor[];
  /** What the witness saw of this chain, when a witness is given (null: the witness never saw it). */
  witness?: WitnessChain | null;
  /** Chains whose newest valid checkpoint is younger than this are still being written: see `chain-verdict`. */
  liveMillis?: number;
  /**
   * Sources that deliver at least once (Loki, the collector archive): a byte-identical repeat of a record is
   * the transport's doing, not tampering — counted here as one warning per chain instead of a `duplicate`.
   */
  repeats?: VerifyProblem[];
}

/**
 * Consecutive linked records for `ChainVerifier.appendLinked`: seqs `firstSeq …`, the 64 hex digits of record `i`'s
 * hash at `bytes[hashAt(i)]`; the rest is asked for only when needed.
 */
export interface LinkedRecords {
  firstSeq: number;
  count: number;
  bytes: Uint8Array;
  hashAt(i: number): number;
  /** The first record's `prev` (hex). */
  firstPrev(): string;
  /** The last record's `hash` (hex). */
  lastHash(): string;
  /** Record `i`'s `intent_seq`, or -1. */
  intentSeq(i: number): number;
  /** Where record `i` is (for a problem). */
  where(i: number): Where;
}

/**
 * Verifies one chain as its records stream in. Memory is bounded: a reorder window for records that arrive
 * ahead of a missing one, and a window of recent hashes for duplicates.
 */
export class ChainVerifier {
  private _next: number | undefined;
  /** Hash of record `_next - 1`; null after a gap (the link cannot be checked across it). */
  private _head: string | null = GENESIS_HASH;
  private readonly _pending = new Map<number, Pending>();
  private readonly _recent = new RecentHashes(RECENT_HASHES);
  private _lastFileSeq = -1;
  private _records = 0;
  private _firstSeq = Number.POSITIVE_INFINITY;
  private _lastSeq = -1;
  private _checkpoints = 0;
  private _lastCheckpointSeq: number | null = null;
  private _sinceCheckpoint = 0;
  private _everyRecords: number | undefined;
  private _final = false;
  /** The raw public key (base64) that signed this chain's first valid checkpoint or anchor. */
  private _key: string | undefined;
  /** Whether seq 0 is a valid signed genesis checkpoint. */
  private _genesis = false;
  /** seq of the last checkpoint whose signature is valid (it vouches for every record up to it). */
  private _protectedTo: number | null = null;
  /** ts of that checkpoint (for `live`). */
  private _protectedAtMillis = Number.NaN;
  /** seq of a valid final checkpoint, and how many records came after it. */
  private _finalSeq: number | null = null;
  private _afterFinal = 0;
  /** Witness: records it holds with the same hash, in the tail after the last valid checkpoint; and overall. */
  private _tailWitnessed = 0;
  private _witnessed = 0;
  private _forks = 0;
  /** Signatures checked by `add` for the checkpoint being accepted. */
  private readonly _validCheckpoints = new Set<number>();
  /** Intents (strict mode) whose tool call record has not been seen yet: seq → tool. */
  private readonly _openIntents = new Map<number, string>();
  private _retainedFrom: number | undefined;

  readonly chain: string;
  private readonly _pinned: KeyObject[] | Map<string, KeyObject> | undefined;
  private readonly _report: (problem: VerifyProblem) => void;
  private readonly _anchors: readonly RetentionAnchor[];
  private readonly _witness: WitnessChain | null | undefined;
  private readonly _liveMillis: number | undefined;
  private readonly _repeats: VerifyProblem[] | undefined;
  private _repeated = 0;

  constructor(options: ChainVerifierOptions) {
    this.chain = options.chain;
    this._pinned = options.pinned;
    this._report = options.report;
    this._anchors = options.anchors ?? [];
    this._witness = options.witness;
    this._liveMillis = options.liveMillis;
    this._repeats = options.repeats;
  }

  add(record: ChainFields, where: Where): void {
    const { seq } = record;
    this._records++;
    if (record.type === 'checkpoint') this._checkSignature(record, where);

    // Accepted seqs are all below `_next`, pending ones all above it: the common record (seq === _next) is neither.
    const known =
      this._next === undefined || seq === this._next
        ? undefined
        : seq < this._next
          ? this._recent.get(seq)
          : this._pending.get(seq)?.record.hash;
    if (known !== undefined) {
      const same = known === record.hash;
      if (same && this._repeats) {
        if (this._repeated++ === 0)
          this._repeats.push({
            kind: 'duplicate',
            chain: this.chain,
            seq,
            message: 'records delivered more than once (at-least-once export); identical copies are ignored',
          });
        return;
      }
      this._problem(
        'duplicate',
        seq,
        same ? 'record appears twice' : 'two different records claim this seq',
        where,
      );
      return;
    }
    if (seq < this._lastFileSeq)
      this._problem('out_of_order', seq, `appears after seq ${this._lastFileSeq}`, where);
    this._lastFileSeq = Math.max(this._lastFileSeq, seq);

    if (this._next === undefined) {
      // The first record read need not be seq 0 (a head cut by retention or by tampering).
      this._next = seq;
      if (seq > 0 && !this._anchored(record, where)) {
        this._problem('truncated', 0, `chain starts at seq ${seq}: records 0..${seq - 1} are missing`, where);
        this._head = null;
      }
    }
    if (seq < this._next) {
      this._problem('out_of_order', seq, 'arrives long after its place in the chain', where);
      return;
    }
    if (seq > this._next) {
      this._pending.set(seq, { record, where });
      if (this._pending.size > REORDER_WINDOW) this._skipToPending();
      return;
    }
    this._accept(record, where);
    this._drain();
  }

  /**
   * Records of this chain that follow, in order, the last one added, each the next seq and linked to the one
   * before it (`prev` is that record's `hash`), fast-path `tool_call` records whose hashes matched: what `add`
   * would do with each, in bulk. Applies only when the first would be accepted straight away — its seq is the next
   * one, nothing is pending, its `prev` is the head — and then every later one is too, with no problem but a
   * witness `fork`. Returns false, having done nothing, otherwise (then `add` each record).
   */
  appendLinked(records: LinkedRecords): boolean {
    const { firstSeq, count } = records;
    if (
      count <= 0 ||
      this._next !== firstSeq ||
      this._pending.size > 0 ||
      this._head === null ||
      this._lastFileSeq >= firstSeq ||
      this._head !== records.firstPrev()
    )
      return false;
    const lastSeq = firstSeq + count - 1;
    this._records += count;
    this._lastFileSeq = lastSeq;
    this._head = records.lastHash();
    this._next = lastSeq + 1;
    this._recent.pushRange(firstSeq, count, records);
    this._firstSeq = Math.min(this._firstSeq, firstSeq);
    this._lastSeq = Math.max(this._lastSeq, lastSeq);
    if (this._finalSeq !== null) this._afterFinal += count;
    this._sinceCheckpoint += count;
    this._final = false;
    if (this._openIntents.size > 0) {
      for (let i = 0; i < count; i++) {
        const intentSeq = records.intentSeq(i);
        if (intentSeq >= 0) this._openIntents.delete(intentSeq);
      }
    }
    const witness = this._witness;
    if (witness) {
      for (let i = 0; i < count; i++) {
        const seq = firstSeq + i;
        const at = records.hashAt(i);
        const same = witness.sameHash(seq, records.bytes, at);
        if (same === undefined) continue;
        if (same) {
          this._witnessed++;
          this._tailWitnessed++;
        } else this._fork(seq, witness.hash(seq) as string, latin1(records.bytes, at), records.where(i));
      }
    }
    return true;
  }

  /** Flushes what is pending and returns the chain's summary; tail problems or warnings go to `warnings`. */
  finish(warnings: VerifyProblem[]): ChainSummary {
    while (this._pending.size > 0) this._skipToPending();
    // An intent without its result: the process crashed mid-call, or the call is still running.
    for (const [seq, tool] of this._openIntents) {
      this._problem(
        'open_call',
        seq,
        `intent for ${tool} has no tool_call result (crashed mid-call or still running)`,
        {},
      );
    }
    const unsigned =
      this._lastCheckpointSeq === null
        ? this._lastSeq - this._firstSeq + 1
        : this._lastSeq - this._lastCheckpointSeq;
    if (this._everyRecords !== undefined && this._sinceCheckpoint > this._everyRecords) {
      this._problem(
        'missing_checkpoint',
        this._lastSeq,
        `${this._sinceCheckpoint} records after the last checkpoint, policy is every ${this._everyRecords}`,
        {},
      );
    }
    const end: ChainEnd = {
      chain: this.chain,
      records: this._records,
      firstSeq: Number.isFinite(this._firstSeq) ? this._firstSeq : 0,
      lastSeq: this._lastSeq,
      signed: this._key !== undefined,
      genesis: this._genesis,
      retainedFrom: this._retainedFrom,
      protectedTo: this._protectedTo,
      protectedAtMillis: this._protectedAtMillis,
      finalSeq: this._finalSeq,
      afterFinal: this._afterFinal,
      tailWitnessed: this._tailWitnessed,
      witness: this._witness,
      liveMillis: this._liveMillis,
      trusted: this._pinned !== undefined,
    };
    const verdict = judgeChainEnd(end);
    for (const problem of verdict.problems) this._problem(problem.kind, problem.seq, problem.message, {});
    for (const warning of verdict.warnings) warnings.push({ ...warning, chain: this.chain });
    return {
      chain: this.chain,
      records: this._records,
      firstSeq: end.firstSeq,
      lastSeq: this._lastSeq,
      checkpoints: this._checkpoints,
      lastCheckpointSeq: this._lastCheckpointSeq,
      final: this._final,
      unsigned: Math.max(0, unsigned),
      protectedTo: verdict.protectedTo,
      unprotected: verdict.unprotected,
      ...(this._witness === undefined
        ? {}
        : { witnessed: this._witnessed, unwitnessed: this._records - this._witnessed - this._forks }),
      ...(this._retainedFrom === undefined ? {} : { retainedFrom: this._retainedFrom }),
    };
  }

  private _accept(record: ChainFields, where: Where): void {
    if (this._head !== null && record.prev !== this._head) {
      this._problem(
        'link_mismatch',
        record.seq,
        'prev does not match the hash of the record before it',
        where,
      );
    }
    this._head = record.hash;
    this._next = record.seq + 1;
    this._remember(record.seq, record.hash);
    this._firstSeq = Math.min(this._firstSeq, record.seq);
    this._lastSeq = Math.max(this._lastSeq, record.seq);
    if (this._finalSeq !== null) this._afterFinal++;
    this._compareWithWitness(record, where);
    const valid = record.type === 'checkpoint' && this._validCheckpoints.delete(record.seq);
    if (valid) {
      if (record.seq === 0 && record.genesis === true) this._genesis = true;
      this._protectedTo = record.seq;
      this._protectedAtMillis = Date.parse(String(record.ts));
      this._tailWitnessed = 0;
      if (record.final === true && this._finalSeq === null) this._finalSeq = record.seq;
    }
    if (record.type === 'checkpoint') {
      if (this._everyRecords !== undefined && this._sinceCheckpoint > this._everyRecords) {
        this._problem(
          'missing_checkpoint',
          record.seq,
          `${this._sinceCheckpoint} records since the previous checkpoint, policy is every ${this._everyRecords}`,
          where,
        );
      }
      this._checkpoints++;
      this._lastCheckpointSeq = record.seq;
      this._sinceCheckpoint = 0;
      if (Number.isSafeInteger(record.every_records)) this._everyRecords = record.every_records as number;
      this._final = valid && record.final === true;
    } else {
      this._sinceCheckpoint++;
      this._final = false;
      if (record.type === 'intent') this._openIntents.set(record.seq, String(record.tool));
      else if (typeof record.intent_seq === 'number') this._openIntents.delete(record.intent_seq);
    }
  }

  private _drain(): void {
    if (this._pending.size === 0) return;
    for (let item = this._pending.get(this._next!); item; item = this._pending.get(this._next!)) {
      this._pending.delete(item.record.seq);
      this._accept(item.record, item.where);
    }
  }

  private _skipToPending(): void {
    const lowest = Math.min(...this._pending.keys());
    const from = this._next!;
    const missing = lowest - from;
    this._problem(
      'gap',
      from,
      missing === 1 ? `record ${from} is missing` : `records ${from}..${lowest - 1} are missing`,
      {},
    );
    // Count the missing records as unsigned content: a checkpoint policy gap spanning them is not the verifier's to judge.
    this._head = null;
    this._next = lowest;
    this._drain();
  }

  private _checkSignature(record: ChainFields, where: Where): void {
    const checked = checkSignature(record, this._pinned);
    if (checked.problem !== undefined) {
      this._problem('bad_signature', record.seq, checked.problem, where);
      return;
    }
    if (!this._sameKey(checked.key, record.seq, where)) return;
    this._validCheckpoints.add(record.seq);
  }

  /** One key per chain, compared as key bytes: a label (`key_id`) proves nothing. */
  private _sameKey(key: string, seq: number, where: Where): boolean {
    if (this._key === undefined) this._key = key;
    else if (this._key !== key) {
      this._problem(
        'bad_signature',
        seq,
        `signed with key ${key.slice(0, 12)}…, but this chain's key is ${this._key.slice(0, 12)}…`,
        where,
      );
      return false;
    }
    return true;
  }

  /** Witness: a different hash at the same (chain, seq) is a fork; the same hash protects a tail record. */
  private _compareWithWitness(record: ChainFields, where: Where): void {
    if (!this._witness) return;
    const seen = this._witness.hash(record.seq);
    if (seen === undefined) return;
    if (seen === record.hash) {
      this._witnessed++;
      this._tailWitnessed++;
      return;
    }
    this._fork(record.seq, seen, record.hash, where);
  }

  private _fork(seq: number, seen: string, hash: string, where: Where): void {
    this._forks++;
    this._problem(
      'fork',
      seq,
      `the witness holds another record at this seq (hash ${seen.slice(0, 12)}…, the trail has ${hash.slice(0, 12)}…)`,
      where,
    );
  }

  /** A head cut by retention: accepted when a valid anchor names this seq and this record's `prev`. */
  private _anchored(record: ChainFields, where: Where): boolean {
    const candidates = this._anchors.filter((anchor) => anchor.first_kept_seq === record.seq);
    const results = candidates.map((anchor) => retentionAnchorProblem(anchor, record, this._pinned));
    const valid = results.find((result) => 'key' in result);
    if (valid && 'key' in valid && this._sameKey(valid.key, record.seq, where)) {
      this._head = record.prev;
      this._retainedFrom = record.seq;
      return true;
    }
    for (const result of results) {
      if ('message' in result)
        this._problem(result.signature ? 'bad_signature' : 'truncated', record.seq, result.message, where);
    }
    return false;
  }

  private _remember(seq: number, hash: string): void {
    this._recent.push(seq, hash);
  }

  private _problem(kind: VerifyProblem['kind'], seq: number, message: string, where: Where): void {
    this._report({ kind, chain: this.chain, seq, message, ...where });
  }
}

/** The 64 characters at `bytes[at]`, as latin1. */
function latin1(bytes: Uint8Array, at: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, 64).toString('latin1');
}
