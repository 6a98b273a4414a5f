/** The verifier's options and report, shared by `verifyTrail` and the modules that check a trail for it. */
import type { TrailSource } from '../trail/read-trail-lines.js';
import type { RetentionAnchor } from '../trail/retention-anchor.js';
import type { PublicKeys } from './record-integrity.js';

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
  | 'open_call'
  | 'non_canonical'
  | 'unsigned_chain'
  | 'no_genesis'
  | 'unprotected'
  | 'unfinished'
  | 'after_final'
  | 'empty'
  | 'fork'
  | 'rolled_back'
  | 'missing_chain';

export interface VerifyProblem {
  kind: ProblemKind | 'unpinned_keys';
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
  /** seq of the last valid checkpoint: every record up to it is protected by its signature (null: none). */
  protectedTo: number | null;
  /** Records no valid checkpoint covers (and, with a witness, that the witness does not hold either). */
  unprotected: number;
  /** With a witness: records it holds with the same hash, and records it never saw. */
  witnessed?: number;
  unwitnessed?: number;
  /** Set when the chain starts after a head deleted by retention, vouched for by a signed anchor. */
  retainedFrom?: number;
}

/** Whether the trail is proven intact: only with trusted (pinned) keys and no problem. */
export type VerifyVerdict = 'intact' | 'problems' | 'unauthenticated';

/** The witness cross-check: what the witness holds, and how it compares with the trail. */
export interface WitnessSummary {
  /** Records read from the witness (repeats included). */
  records: number;
  chains: number;
  /** Trail records the witness holds with the same hash. */
  witnessed: number;
  /**
   * Trail records the witness never saw: `lag` after the witness's newest record of the chain (export lag, or
   * appended later), `holes` before it (lost on the way to the witness, or inserted into the trail later).
   */
  unwitnessed: number;
  lag: number;
  holes: number;
}

export interface VerifyReport {
  /**
   * True only when the trail is proven intact: trusted (pinned) keys and no problem. Without trusted keys a
   * rewritten trail re-signed with another key cannot be told apart, so `ok` is false (`verdict`
   * `unauthenticated`) even when every link, hash and signature checks out.
   */
  ok: boolean;
  verdict: VerifyVerdict;
  /** Whether the checkpoint keys were pinned. */
  trusted: boolean;
  /** What was checked, in words (for reports). */
  checked: string;
  records: number;
  checkpoints: number;
  chains: ChainSummary[];
  problems: VerifyProblem[];
  /** Not tampering by themselves: a live chain's unsigned tail, a crash the witness agrees with, unpinned keys. */
  warnings: VerifyProblem[];
  /** Set when a witness was given. */
  witness?: WitnessSummary;
}

/** Where a record was read, for problem reports. */
export interface Where {
  file?: string;
  line?: number;
}

/** Options of `verifyTrail`. */
export interface VerifyTrailOptions {
  /** Pin the checkpoint keys: a rewritten chain re-signed with another key is then detected. */
  publicKeys?: PublicKeys;
  /** Called every `progressEvery` records (for progress bars). */
  onProgress?: (records: number) => void;
  /** @default 100000 */
  progressEvery?: number;
  /**
   * Worker threads that scan and hash trail files read by path (the chain itself is checked on the calling
   * thread, in order); 0 verifies on the calling thread only. By default one per CPU (at most 4; one fewer, at
   * least one, when a witness is compared) once the files hold 4 MiB, none below.
   */
  workers?: number;
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
  /**
   * Another copy of the records (the collector archive, Loki, another trail directory), read first and
   * compared by (chain, seq): records it holds that the trail lacks are `rolled_back`, chains it holds that
   * the trail lacks are `missing_chain`, another hash at the same seq is a `fork`. A chain that ended without a
   * final checkpoint is then only a warning when the witness holds nothing the trail lacks.
   */
  witness?: TrailSource;
  /**
   * Chains still being written: a chain whose newest valid checkpoint is younger than this (milliseconds) may
   * lack its final checkpoint and have an unsigned tail (warnings). Choose it above the checkpoint interval
   * (`every_millis`, 60 s by default). Undefined: every chain must be finished.
   */
  liveMillis?: number;
}
