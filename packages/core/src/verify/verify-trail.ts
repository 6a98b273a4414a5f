import { GENESIS_HASH } from '../record/audit-record.js';
import { type TrailSource, trailPaths } from './read-trail-lines.js';
import type { PublicKeys } from './record-integrity.js';
import { type RetentionAnchor, readRetentionAnchors } from './retention-anchor.js';
import { TrailVerification } from './trail-verification.js';

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
   * Whether the source delivers each chain in stored order (a trail directory). Sources ordered by time or by
   * arrival (Loki, the collector archive, records replayed after an outage) pass `false`: each chain is then
   * sorted by seq before it is checked, and `out_of_order` is not reported.
   * @default true
   */
  ordered?: boolean;
  /**
   * Unordered sources: records held in memory for sorting. Beyond it, sorted runs spill to temporary files
   * (mode 0600, under the OS temp directory, removed at the end) and are merged, so memory stays bounded.
   * @default 100000
   */
  maxHeldRecords?: number;
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
  const paths = trailPaths(source);
  const anchors = options.anchors ?? readRetentionAnchors(paths ?? []);
  const verification = new TrailVerification({ ...options, anchors });
  if (paths) for (const path of paths) await verification.addPath(path);
  else {
    // Items are record lines only (log bodies from Loki, say): one that is not a record is malformed, never a path.
    let index = 0;
    for await (const item of source as AsyncIterable<string>) verification.addText(item, undefined, ++index);
  }
  return verification.finish();
}

export { GENESIS_HASH };
