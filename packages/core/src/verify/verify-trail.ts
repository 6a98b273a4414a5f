import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from '../keys/signing-key.js';
import { GENESIS_HASH } from '../record/audit-record.js';
import { ChainVerifier } from './chain-verifier.js';
import { readTrailLines, type TrailSource } from './read-trail-lines.js';
import { type ChainFields, hashMatches, malformedReason, type PublicKeys } from './record-integrity.js';
import { type RetentionAnchor, readRetentionAnchors } from './retention-anchor.js';

/** Kinds of integrity problems the verifier reports. */
export type ProblemKind =
  | 'gap'
  | 'hash_mismatch'
  | 'link_mismatch'
  | 'duplicate'
  | 'out_of_order'
  | 'bad_signature'
  | 'truncated'
  | 'missing_checkpoint'
  | 'malformed'
  | 'open_call';

export interface VerifyProblem {
  kind: ProblemKind | 'unsigned_tail' | 'unpinned_keys';
  chain: string | null;
  seq: number | null;
  message: string;
  file?: string;
  line?: number;
}

export interface ChainSummary {
  chain: string;
  records: number;
  firstSeq: number;
  lastSeq: number;
  checkpoints: number;
  /** seq of the last checkpoint, or null. */
  lastCheckpointSeq: number | null;
  /** Whether the chain ends with its final (shutdown) checkpoint. */
  final: boolean;
  /** Records after the last checkpoint: not covered by any signature. */
  unsigned: number;
  /** Set when the chain starts after a head deleted by retention, vouched for by a signed anchor. */
  retainedFrom?: number;
}

export interface VerifyReport {
  /** True when no problem was found (warnings do not count). */
  ok: boolean;
  records: number;
  checkpoints: number;
  chains: ChainSummary[];
  problems: VerifyProblem[];
  /** Not tampering by themselves: unsigned tails (a running or crashed process), unpinned keys. */
  warnings: VerifyProblem[];
}

export interface VerifyTrailOptions {
  /** Pin the checkpoint keys: a rewritten chain re-signed with another key is then detected. */
  publicKeys?: PublicKeys;
  /** Called every `progressEvery` records (for progress bars). */
  onProgress?: (records: number) => void;
  /** @default 100000 */
  progressEvery?: number;
  /**
   * Whether the source delivers each chain in stored order (a trail directory, the collector archive). Sources
   * ordered by time or by arrival (Loki, records replayed after an outage) pass `false`: each chain is then sorted
   * by seq before it is checked (memory grows with the records held) and `out_of_order` is not reported.
   * @default true
   */
  ordered?: boolean;
  /**
   * Signed retention anchors: a chain may then start at an anchored seq without being `truncated`. When
   * omitted, `<dir>/retention/*.anchors.jsonl` of each directory in the source is read.
   */
  anchors?: readonly RetentionAnchor[];
}

/**
 * Verifies a trail, streaming with memory bounded by the number of chains: recomputes every hash, checks every
 * link and seq, checks checkpoint signatures, and reports every problem with its kind, chain and seq.
 */
export async function verifyTrail(
  source: TrailSource,
  options: VerifyTrailOptions = {},
): Promise<VerifyReport> {
  const pinned = pinnedKeys(options.publicKeys);
  const anchors =
    options.anchors ??
    readRetentionAnchors(typeof source === 'string' ? [source] : Array.isArray(source) ? source : []);
  const problems: VerifyProblem[] = [];
  const warnings: VerifyProblem[] = [];
  const chains = new Map<string, ChainVerifier>();
  const report = (problem: VerifyProblem) => problems.push(problem);
  const progressEvery = options.progressEvery ?? 100_000;
  let records = 0;
  const unordered =
    options.ordered === false
      ? new Map<string, Array<{ record: ChainFields; where: { file?: string; line?: number } }>>()
      : undefined;

  for await (const { text, file, line } of readTrailLines(source)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      report({
        kind: 'malformed',
        chain: null,
        seq: null,
        message: `not JSON: ${(error as Error).message}`,
        file,
        line,
      });
      continue;
    }
    const reason = malformedReason(parsed);
    if (reason) {
      const partial = parsed as Partial<ChainFields> | null;
      const seq = Number.isSafeInteger(partial?.seq) ? (partial?.seq as number) : null;
      const chain = typeof partial?.chain === 'string' ? partial.chain : null;
      report({ kind: 'malformed', chain, seq, message: reason, file, line });
      continue;
    }
    const record = parsed as ChainFields;
    records++;
    if (options.onProgress && records % progressEvery === 0) options.onProgress(records);
    let chain = chains.get(record.chain);
    if (!chain) {
      chain = new ChainVerifier(
        record.chain,
        pinned,
        report,
        anchors.filter((anchor) => anchor.chain === record.chain),
      );
      chains.set(record.chain, chain);
    }
    const where = { file, line };
    if (!hashMatches(text, record)) {
      report({
        kind: 'hash_mismatch',
        chain: record.chain,
        seq: record.seq,
        message: 'hash does not match the record',
        ...where,
      });
    }
    if (unordered)
      unordered.get(record.chain)?.push({ record, where }) ??
        unordered.set(record.chain, [{ record, where }]);
    else chain.add(record, where);
  }

  // Unordered sources: feed each chain in seq order (stable, so duplicates keep their arrival order).
  for (const [id, items] of unordered ?? []) {
    items.sort((a, b) => a.record.seq - b.record.seq);
    for (const { record, where } of items) chains.get(id)!.add(record, where);
  }

  const summaries: ChainSummary[] = [];
  for (const chain of chains.values()) summaries.push(chain.finish(warnings));
  if (!pinned && summaries.some((summary) => summary.checkpoints > 0)) {
    warnings.push({
      kind: 'unpinned_keys',
      chain: null,
      seq: null,
      message:
        'signatures were checked against keys embedded in the trail; pin the public key to detect rewritten chains',
    });
  }
  problems.sort(byChainAndSeq);
  return {
    ok: problems.length === 0,
    records,
    checkpoints: summaries.reduce((sum, summary) => sum + summary.checkpoints, 0),
    chains: summaries.sort((a, b) => a.chain.localeCompare(b.chain)),
    problems,
    warnings,
  };
}

function pinnedKeys(keys: PublicKeys | undefined): KeyObject[] | Map<string, KeyObject> | undefined {
  if (!keys) return undefined;
  if (Array.isArray(keys)) return keys.map((key) => loadPublicKey(key));
  return new Map(Object.entries(keys).map(([id, key]) => [id, loadPublicKey(key)]));
}

function byChainAndSeq(a: VerifyProblem, b: VerifyProblem): number {
  return (a.chain ?? '').localeCompare(b.chain ?? '') || (a.seq ?? -1) - (b.seq ?? -1);
}

export { GENESIS_HASH };
