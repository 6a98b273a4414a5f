import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from '../keys/signing-key.js';
import { ChainVerifier } from './chain-verifier.js';
import { forEachLineBytes } from './read-line-bytes.js';
import { listTrailFiles } from './read-trail-lines.js';
import { type ChainFields, hashMatches, malformedReason, type PublicKeys } from './record-integrity.js';
import type { RetentionAnchor } from './retention-anchor.js';
import { scannedHashMatches, scanToolCallLine } from './scan-record-line.js';
import type { ChainSummary, VerifyProblem, VerifyReport, VerifyTrailOptions } from './verify-trail.js';

interface Where {
  file?: string;
  line?: number;
}

/**
 * One verification run: lines go in (as text, or as bytes read from trail files), a report comes out. Memory is
 * bounded by the number of chains, except for unordered sources (each chain is held to be sorted).
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
  private readonly _unordered: Map<string, Array<{ record: ChainFields; where: Where }>> | undefined;
  private readonly _progressEvery: number;
  private readonly _report = (problem: VerifyProblem) => this._problems.push(problem);
  private _records = 0;
  private _scratch = Buffer.allocUnsafe(1 << 16);

  constructor(private readonly _options: VerifyTrailOptions & { anchors: readonly RetentionAnchor[] }) {
    this._pinned = pinnedKeys(_options.publicKeys);
    this._progressEvery = _options.progressEvery ?? 100_000;
    this._unordered = _options.ordered === false ? new Map() : undefined;
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
    // Unordered sources: feed each chain in seq order (stable, so duplicates keep their arrival order).
    for (const [id, items] of this._unordered ?? []) {
      items.sort((a, b) => a.record.seq - b.record.seq);
      for (const { record, where } of items) this._chains.get(id)!.add(record, where);
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
    if (this._unordered)
      this._unordered.get(record.chain)?.push({ record, where }) ??
        this._unordered.set(record.chain, [{ record, where }]);
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
