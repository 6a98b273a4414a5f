import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from '../keys/signing-key.js';
import { ChainVerifier } from './chain-verifier.js';
import { forEachLineBytes } from './read-line-bytes.js';
import { listTrailFiles } from './read-trail-lines.js';
import { type ChainFields, hashMatches, malformedReason, type PublicKeys } from './record-integrity.js';
import type { RetentionAnchor } from './retention-anchor.js';
import { scannedHashMatches, scanToolCallLine } from './scan-record-line.js';
import { SeqSorter, type Where } from './seq-sorter.js';
import type { ChainSummary, VerifyProblem, VerifyReport, VerifyTrailOptions } from './verify-trail.js';

/** Records of an unordered source held in memory before sorted runs spill to temporary files. */
const DEFAULT_MAX_HELD = 100_000;

/**
 * One verification run: lines go in (as text, or as bytes read from trail files), a report comes out. Memory is
 * bounded by the number of chains; unordered sources are sorted with at most `maxHeldRecords` records in memory.
 *
 * Two ways in, one verdict: `addText` parses every line (any source); `addPath` reads files as bytes and takes
 * the fast path — a byte scan instead of JSON.parse, the hash over the bytes — for lines exactly as the writer
 * stores them, falling back to `addText` for any other line (test/verify-fast-path.test.ts holds the two equal).
 */
export class TrailVerification {
  private readonly _pinned: KeyObject[] | Map<string, KeyObject> | undefined;
  private readonly _problems: VerifyProblem[] = [];
  private readonly _warnings: VerifyProblem[] = [];
  private readonly _chains = new Map<string, ChainVerifier>();
  private readonly _unordered: SeqSorter | undefined;
  private readonly _progressEvery: number;
  private readonly _report = (problem: VerifyProblem) => this._problems.push(problem);
  private _records = 0;
  private _scratch = Buffer.allocUnsafe(1 << 16);

  constructor(private readonly _options: VerifyTrailOptions & { anchors: readonly RetentionAnchor[] }) {
    this._pinned = pinnedKeys(_options.publicKeys);
    this._progressEvery = _options.progressEvery ?? 100_000;
    const maxHeld = _options.maxHeldRecords ?? DEFAULT_MAX_HELD;
    if (!Number.isSafeInteger(maxHeld) || maxHeld < 1)
      throw new Error(`tooltrail: maxHeldRecords must be a positive integer, got ${String(maxHeld)}`);
    this._unordered = _options.ordered === false ? new SeqSorter(maxHeld) : undefined;
  }

  /** The slow path, for any line: parse, check the shape, hash. */
  addText(text: string, file?: string, line?: number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this._report({
        kind: 'malformed',
        chain: null,
        seq: null,
        message: `not JSON: ${(error as Error).message}`,
        file,
        line,
      });
      return;
    }
    const reason = malformedReason(parsed);
    if (reason) {
      const partial = parsed as Partial<ChainFields> | null;
      const seq = Number.isSafeInteger(partial?.seq) ? (partial?.seq as number) : null;
      const chain = typeof partial?.chain === 'string' ? partial.chain : null;
      this._report({ kind: 'malformed', chain, seq, message: reason, file, line });
      return;
    }
    const record = parsed as ChainFields;
    this._addRecord(record, { file, line }, hashMatches(text, record));
  }

  /** A trail file, or a directory's `*.jsonl` files in name order. */
  async addPath(path: string): Promise<void> {
    for (const file of listTrailFiles(path)) {
      await forEachLineBytes(file, (bytes, start, end, line) =>
        this._addLineBytes(bytes, start, end, file, line),
      );
    }
  }

  finish(): VerifyReport {
    // Unordered sources: each chain in seq order (equal seqs in arrival order), from memory or spilled runs.
    if (this._unordered) {
      for (const { record, where } of this._unordered.drain())
        this._chains.get(record.chain)!.add(record, where);
    }
    const summaries: ChainSummary[] = [];
    for (const chain of this._chains.values()) summaries.push(chain.finish(this._warnings));
    if (!this._pinned && summaries.some((summary) => summary.checkpoints > 0)) {
      this._warnings.push({
        kind: 'unpinned_keys',
        chain: null,
        seq: null,
        message:
          'signatures were checked against keys embedded in the trail; pin the public key to detect rewritten chains',
      });
    }
    this._problems.sort(byChainAndSeq);
    return {
      ok: this._problems.length === 0,
      records: this._records,
      checkpoints: summaries.reduce((sum, summary) => sum + summary.checkpoints, 0),
      chains: summaries.sort((a, b) => a.chain.localeCompare(b.chain)),
      problems: this._problems,
      warnings: this._warnings,
    };
  }

  private _addLineBytes(bytes: Buffer, start: number, end: number, file: string, line: number): void {
    const scanned = scanToolCallLine(bytes, start, end);
    if (scanned) {
      if (this._scratch.length < end - start) this._scratch = Buffer.allocUnsafe(end - start);
      if (scannedHashMatches(bytes, start, end, scanned, this._scratch)) {
        this._addRecord(scanned.record, { file, line }, true);
        return;
      }
    }
    this.addText(bytes.toString('utf8', start, end), file, line);
  }

  private _addRecord(record: ChainFields, where: Where, hashOk: boolean): void {
    this._records++;
    if (this._options.onProgress && this._records % this._progressEvery === 0)
      this._options.onProgress(this._records);
    let chain = this._chains.get(record.chain);
    if (!chain) {
      chain = new ChainVerifier(
        record.chain,
        this._pinned,
        this._report,
        this._options.anchors.filter((anchor) => anchor.chain === record.chain),
      );
      this._chains.set(record.chain, chain);
    }
    if (!hashOk) {
      this._report({
        kind: 'hash_mismatch',
        chain: record.chain,
        seq: record.seq,
        message: 'hash does not match the record',
        ...where,
      });
    }
    if (this._unordered) this._unordered.add(record, where);
    else chain.add(record, where);
  }
}

function pinnedKeys(keys: PublicKeys | undefined): KeyObject[] | Map<string, KeyObject> | undefined {
  if (!keys) return undefined;
  if (Array.isArray(keys)) return keys.map((key) => loadPublicKey(key));
  return new Map(Object.entries(keys).map(([id, key]) => [id, loadPublicKey(key)]));
}

function byChainAndSeq(a: VerifyProblem, b: VerifyProblem): number {
  return (a.chain ?? '').localeCompare(b.chain ?? '') || (a.seq ?? -1) - (b.seq ?? -1);
}
