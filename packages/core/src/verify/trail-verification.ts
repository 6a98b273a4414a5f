import { isUtf8 } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import { canonicalize } from '../canonical/canonical-json.js';
import { loadPublicKey } from '../keys/signing-key.js';
import { listTrailFiles } from '../trail/list-trail.js';
import { tooLong } from '../trail/read-trail-lines.js';
import type { RetentionAnchor } from '../trail/retention-anchor.js';
import { ChainVerifier } from './chain-verifier.js';
import { type ChainFields, hashMatches, malformedReason, type PublicKeys } from './record-integrity.js';
import { ScanPool, type ScanResult } from './scan-pool.js';
import { scannedHashMatches, scanToolCallLine } from './scan-record-line.js';
import { scanTrailFile } from './scan-trail-file.js';
import { FIELDS_PER_LINE, LINE_FAST, LINE_SLOW, scannedRecord } from './scanned-lines.js';
import { SeqSorter } from './seq-sorter.js';
import type {
  ChainSummary,
  VerifyProblem,
  VerifyReport,
  VerifyTrailOptions,
  Where,
  WitnessSummary,
} from './verify-types.js';
import type { WitnessIndex } from './witness-index.js';

type VerificationOptions = VerifyTrailOptions & {
  anchors: readonly RetentionAnchor[];
  witnessIndex?: WitnessIndex;
  /** Files and lines of the witness that could not be read (`malformed`, reported as they are). */
  witnessUnread?: readonly VerifyProblem[];
};

/** Trail files smaller than this together are verified on the calling thread (starting workers costs more). */
const WORKERS_FROM_BYTES = 4 << 20;

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

  constructor(private readonly _options: VerificationOptions) {
    this._pinned = pinnedKeys(_options.publicKeys);
    this._progressEvery = _options.progressEvery ?? 100_000;
    const maxHeld = _options.maxHeldRecords ?? DEFAULT_MAX_HELD;
    if (!Number.isSafeInteger(maxHeld) || maxHeld < 1)
      throw new Error(`tooltrail: maxHeldRecords must be a positive integer, got ${String(maxHeld)}`);
    this._unordered = _options.ordered === false ? new SeqSorter(maxHeld) : undefined;
    this._problems.push(...(_options.witnessUnread ?? []));
  }

  /**
   * The slow path, for any line: parse, check the shape, hash. `validUtf8` false: the line was decoded from bytes
   * that are not valid UTF-8 (each invalid sequence became U+FFFD), so `text` is not what the file holds.
   */
  addText(text: string, file?: string, line?: number, validUtf8 = true): void {
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
    // The stored bytes are what every other reader (grep, Loki, a first-wins parser) sees: they must be exactly
    // the canonical JSON the writer emits, or the hash would vouch for content those readers never show.
    let canonical: string | undefined;
    try {
      canonical = canonicalize(record);
    } catch {
      canonical = undefined;
    }
    // Invalid UTF-8 decodes to U+FFFD: a record holding U+FFFD could be stored with other bytes in its place.
    const same = canonical === text && validUtf8;
    if (!same) {
      this._report({
        kind: 'non_canonical',
        chain: record.chain,
        seq: record.seq,
        message: validUtf8
          ? 'the stored line is not the canonical JSON of its record (duplicate or reordered members, escapes, number forms or whitespace): other readers may see content the hash does not cover'
          : 'the stored line is not valid UTF-8: a decoder shows U+FFFD where the file holds other bytes, which other readers may show differently',
        file,
        line,
      });
    }
    this._addRecord(record, { file, line }, same && hashMatches(text, record));
  }

  /**
   * A trail file, or a directory's `*.jsonl` files in name order. Runs of lines are scanned and hashed on worker
   * threads (`workers`; by default `defaultScanThreads` once the files hold `WORKERS_FROM_BYTES`), their records checked
   * here in file order.
   */
  async addPath(path: string): Promise<void> {
    const files = listTrailFiles(path);
    const pool = ScanPool.open(
      this._options.workers ?? (totalBytes(files) >= WORKERS_FROM_BYTES ? undefined : 0),
      { witness: this._options.witnessIndex !== undefined },
    );
    try {
      for (const file of files) {
        await scanTrailFile(
          file,
          pool,
          {
            onRun: (run, lineBase) => this._addRun(run, file, lineBase),
            onLine: (bytes, start, end, line) => this._addLineBytes(bytes, start, end, file, line),
            // A line past MAX_LINE_BYTES is skipped unread (bounded memory): one malformed line, reading goes on.
            onTooLong: (line, bytes) => this._report(longLineProblem(file, line, bytes)),
          },
          // A link planted in a trail directory is not followed (its target could be any file), a FIFO or a
          // directory with a trail file's name not read.
          { noFollow: file !== path, onSkipped: (reason) => this._report(skippedProblem(file, reason)) },
        );
      }
    } finally {
      await pool.close();
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
    const witness = this._options.witnessIndex;
    if (witness) this._checkWitnessChains(witness);
    if (this._records === 0) {
      this._report({
        kind: 'empty',
        chain: null,
        seq: null,
        message: 'no audit records found: an empty source proves nothing (check the path or source)',
      });
    }
    const trusted = this._pinned !== undefined;
    if (!trusted) {
      this._warnings.push({
        kind: 'unpinned_keys',
        chain: null,
        seq: null,
        message:
          'no trusted key: signatures were checked against keys embedded in the trail, so a trail rewritten and re-signed with another key would pass; pin the public key (--public-key FILE or TOOLTRAIL_PUBLIC_KEY_FILE) kept away from the trail',
      });
    }
    this._problems.sort(byChainAndSeq);
    const verdict = this._problems.length > 0 ? 'problems' : trusted ? 'intact' : 'unauthenticated';
    return {
      ok: verdict === 'intact',
      verdict,
      trusted,
      checked: describeChecks(trusted, witness !== undefined),
      records: this._records,
      checkpoints: summaries.reduce((sum, summary) => sum + summary.checkpoints, 0),
      chains: summaries.sort((a, b) => a.chain.localeCompare(b.chain)),
      problems: this._problems,
      warnings: this._warnings,
      ...(witness ? { witness: witnessSummary(witness, summaries) } : {}),
    };
  }

  /** Chains the witness holds that the trail lacks, and records the witness itself holds twice differently. */
  private _checkWitnessChains(witness: WitnessIndex): void {
    for (const id of witness.chainIds) {
      if (this._chains.has(id)) continue;
      const seen = witness.chain(id);
      this._report({
        kind: 'missing_chain',
        chain: id,
        seq: null,
        message: `the witness holds ${seen?.count ?? 0} record(s) of this chain (seq up to ${seen?.lastSeq ?? '?'}); the trail has none: the chain was deleted`,
      });
    }
    for (const conflict of witness.conflicts) {
      this._report({
        kind: 'fork',
        chain: conflict.chain,
        seq: conflict.seq,
        message: 'the witness itself holds two different records at this seq',
      });
    }
  }

  /**
   * A scanned run of lines: fast lines as records, the others the slow way, in order. A stretch of fast lines
   * the scan found linked (`linked`: same chain, next seq, `prev` = the hash before) goes to its chain in bulk
   * (`ChainVerifier.appendLinked`) when the chain is ready to accept it; otherwise line by line.
   */
  private _addRun(run: ScanResult, file: string, lineBase: number): void {
    const bytes = Buffer.from(run.buffer);
    const { fields } = run;
    const end = run.count * FIELDS_PER_LINE;
    for (let at = 0; at < end; at += FIELDS_PER_LINE) {
      const kind = fields[at + 1];
      if (kind === LINE_FAST) {
        if (fields[at + 9] === 1 && !this._unordered) {
          let last = at;
          while (last + FIELDS_PER_LINE < end && fields[last + FIELDS_PER_LINE + 9] === 1)
            last += FIELDS_PER_LINE;
          if (this._appendLinked(run, bytes, at, last, file, lineBase)) {
            at = last;
            continue;
          }
        }
        this._addRecord(
          scannedRecord(run, bytes, at),
          { file, line: lineBase + (fields[at] as number) },
          true,
        );
      } else if (kind === LINE_SLOW)
        this._addSlowBytes(
          bytes,
          fields[at + 2] as number,
          fields[at + 3] as number,
          file,
          lineBase + (fields[at] as number),
        );
      else this._report(longLineProblem(file, lineBase + (fields[at] as number), fields[at + 2] as number));
    }
  }

  /** The linked fast lines described at `first … last` to their chain in bulk; false when it does not apply. */
  private _appendLinked(
    run: ScanResult,
    bytes: Buffer,
    first: number,
    last: number,
    file: string,
    lineBase: number,
  ): boolean {
    const { fields } = run;
    const chain = this._chains.get(run.chains[fields[first + 6] as number] as string);
    const count = (last - first) / FIELDS_PER_LINE + 1;
    const linked = chain?.appendLinked({
      firstSeq: fields[first + 4] as number,
      count,
      bytes,
      hashAt: (i) => fields[first + i * FIELDS_PER_LINE + 8] as number,
      firstPrev: () => hexDigits(bytes, fields[first + 7] as number),
      lastHash: () => hexDigits(bytes, fields[last + 8] as number),
      intentSeq: (i) => fields[first + i * FIELDS_PER_LINE + 5] as number,
      where: (i) => ({ file, line: lineBase + (fields[first + i * FIELDS_PER_LINE] as number) }),
    });
    if (!linked) return false;
    const before = this._records;
    this._records += count;
    const onProgress = this._options.onProgress;
    if (onProgress) {
      const every = this._progressEvery;
      for (let at = (Math.floor(before / every) + 1) * every; at <= this._records; at += every)
        onProgress(at);
    }
    return true;
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
    this._addSlowBytes(bytes, start, end, file, line);
  }

  /** A line the scan left to the slow path, decoded; whether its bytes are valid UTF-8 is checked on them. */
  private _addSlowBytes(bytes: Buffer, start: number, end: number, file: string, line: number): void {
    this.addText(bytes.toString('utf8', start, end), file, line, isUtf8(bytes.subarray(start, end)));
  }

  private _addRecord(record: ChainFields, where: Where, hashOk: boolean): void {
    this._records++;
    if (this._options.onProgress && this._records % this._progressEvery === 0)
      this._options.onProgress(this._records);
    let chain = this._chains.get(record.chain);
    if (!chain) {
      const witness = this._options.witnessIndex;
      chain = new ChainVerifier({
        chain: record.chain,
        pinned: this._pinned,
        report: this._report,
        anchors: this._options.anchors.filter((anchor) => anchor.chain === record.chain),
        witness: witness ? (witness.chain(record.chain) ?? null) : undefined,
        liveMillis: this._options.liveMillis,
        repeats: this._unordered ? this._warnings : undefined,
      });
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

function describeChecks(trusted: boolean, witnessed: boolean): string {
  const signatures = trusted
    ? 'checkpoint signatures by the pinned key(s)'
    : 'checkpoint signatures by keys the trail itself names (unauthenticated: nothing shows they are yours)';
  return `hashes, links and seq of every record, canonical bytes, ${signatures}, genesis and final checkpoints${
    witnessed ? ', and every record and chain against the witness' : ''
  }`;
}

function witnessSummary(witness: WitnessIndex, chains: ChainSummary[]): WitnessSummary {
  let witnessed = 0;
  let lag = 0;
  let holes = 0;
  for (const chain of chains) {
    witnessed += chain.witnessed ?? 0;
    const seen = witness.chain(chain.chain);
    const last = seen ? seen.lastSeq : chain.firstSeq - 1;
    // Trail records after the witness's newest one: export lag (or appended later); before it: holes.
    const after = Math.max(0, chain.lastSeq - Math.max(last, chain.firstSeq - 1));
    const unwitnessed = chain.unwitnessed ?? 0;
    lag += Math.min(after, unwitnessed);
    holes += Math.max(0, unwitnessed - after);
  }
  return {
    records: witness.records,
    chains: [...witness.chainIds].length,
    witnessed,
    unwitnessed: lag + holes,
    lag,
    holes,
  };
}

function byChainAndSeq(a: VerifyProblem, b: VerifyProblem): number {
  return (a.chain ?? '').localeCompare(b.chain ?? '') || (a.seq ?? -1) - (b.seq ?? -1);
}

/** The bytes of the files that can be stat'ed (a dangling link counts 0: it is reported when opened). */
function totalBytes(files: readonly string[]): number {
  let total = 0;
  for (const file of files) {
    try {
      total += statSync(file).size;
    } catch {}
  }
  return total;
}

/** The `malformed` problem reported for a line longer than `MAX_LINE_BYTES`. */
function longLineProblem(file: string, line: number, bytes: number): VerifyProblem {
  return { kind: 'malformed', chain: null, seq: null, message: tooLong(bytes), file, line };
}

/** The `malformed` problem reported for a symbolic link or a non-regular file found in a trail directory (not read). */
function skippedProblem(file: string, reason: string): VerifyProblem {
  return { kind: 'malformed', chain: null, seq: null, message: reason, file };
}

/** The 64 hex digits at `bytes[at]`. */
function hexDigits(bytes: Buffer, at: number): string {
  return bytes.toString('latin1', at, at + 64);
}
