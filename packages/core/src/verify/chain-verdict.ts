import type { ProblemKind } from './verify-types.js';
import type { WitnessChain } from './witness-index.js';

/** What a chain verifier knows about a chain once every record has been read. */
export interface ChainEnd {
  chain: string;
  records: number;
  firstSeq: number;
  lastSeq: number;
  /** Whether any checkpoint (or retention anchor) of the chain carries a valid signature. */
  signed: boolean;
  /** Whether seq 0 is a valid signed genesis checkpoint. */
  genesis: boolean;
  /** Set when the chain's head was cut by retention under a valid anchor. */
  retainedFrom: number | undefined;
  /** seq of the last valid checkpoint, and its time. */
  protectedTo: number | null;
  protectedAtMillis: number;
  /** seq of the valid final checkpoint, and the records after it. */
  finalSeq: number | null;
  afterFinal: number;
  /** Tail records (after the last valid checkpoint) the witness holds with the same hash. */
  tailWitnessed: number;
  /** undefined: no witness given; null: the witness never saw this chain. */
  witness: WitnessChain | null | undefined;
  liveMillis: number | undefined;
  /** Whether the keys were pinned: only then can an unprotected record be told from a forged one. */
  trusted: boolean;
}

interface Finding {
  kind: ProblemKind;
  seq: number;
  message: string;
}

/** The end-of-chain findings: problems, warnings, and how much of the chain is protected. */
export interface ChainVerdict {
  problems: Finding[];
  warnings: Finding[];
  protectedTo: number | null;
  unprotected: number;
}

/**
 * Judges how a chain begins and ends. A record is protected when a valid checkpoint covers it (or, in a tail
 * after the last checkpoint, when the witness holds it with the same hash). A chain is born signed (genesis at
 * seq 0, or an anchored retention cut), ends with its final checkpoint, and has nothing after it. With trusted
 * keys an unprotected record and an unfinished chain are problems — every cut of a cleanly shut-down chain
 * removes its final checkpoint — unless the chain is live (`liveMillis`: its newest valid checkpoint is younger
 * than that) or, for the missing final checkpoint, the witness holds nothing the trail lacks.
 */
export function judgeChainEnd(end: ChainEnd): ChainVerdict {
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  const report = (hard: boolean, kind: ProblemKind, seq: number, message: string) =>
    (hard ? problems : warnings).push({ kind, seq, message });
  const span = end.lastSeq - end.firstSeq + 1;
  if (!end.signed) {
    report(
      true,
      'unsigned_chain',
      end.firstSeq,
      `no valid signed checkpoint: nothing vouches for its ${end.records} record(s) (a chain is born with a signed genesis checkpoint)`,
    );
    return { problems, warnings, protectedTo: null, unprotected: span };
  }
  if (end.retainedFrom === undefined && end.firstSeq === 0 && !end.genesis)
    report(true, 'no_genesis', 0, 'seq 0 is not a valid signed genesis checkpoint');
  if (end.witness && end.witness.lastSeq > end.lastSeq) {
    const missing = end.witness.countBetween(end.lastSeq + 1, end.witness.lastSeq);
    report(
      true,
      'rolled_back',
      end.lastSeq + 1,
      `the witness holds ${missing} record(s) after the trail's last seq ${end.lastSeq} (up to seq ${end.witness.lastSeq}): the trail was cut or rolled back`,
    );
  }
  if (end.finalSeq !== null) {
    if (end.afterFinal > 0)
      report(
        true,
        'after_final',
        end.finalSeq + 1,
        `${end.afterFinal} record(s) after the final checkpoint at seq ${end.finalSeq}: a finished chain never grows`,
      );
    return { problems, warnings, protectedTo: end.protectedTo, unprotected: end.afterFinal };
  }
  const tail = end.protectedTo === null ? span : end.lastSeq - end.protectedTo;
  const unprotected = Math.max(0, tail - end.tailWitnessed);
  const ageMillis = Date.now() - end.protectedAtMillis;
  const live = end.liveMillis !== undefined && Number.isFinite(ageMillis) && ageMillis <= end.liveMillis;
  const after = end.protectedTo === null ? 'the chain start' : `checkpoint seq ${end.protectedTo}`;
  if (unprotected > 0) {
    report(
      end.trusted && !live,
      'unprotected',
      end.protectedTo === null ? end.firstSeq : end.protectedTo + 1,
      live
        ? `${unprotected} record(s) after ${after} are not signed yet (live: the last checkpoint is ${Math.round(ageMillis / 1000)} s old)`
        : `${unprotected} record(s) after ${after} are covered by no signature${end.witness === undefined ? '' : ' and not held by the witness'}: they could have been appended by anyone`,
    );
  }
  const witnessAgrees =
    end.witness !== undefined && end.witness !== null && end.witness.lastSeq <= end.lastSeq;
  if (live) {
    report(
      false,
      'unfinished',
      end.lastSeq,
      `no final checkpoint yet: still being written (the last checkpoint is ${Math.round(ageMillis / 1000)} s old)`,
    );
  } else if (witnessAgrees) {
    report(
      false,
      'unfinished',
      end.lastSeq,
      'ended without a final checkpoint (crashed or still running); the witness holds nothing the trail lacks',
    );
  } else {
    report(
      end.trusted,
      'unfinished',
      end.lastSeq,
      `no final checkpoint: the process crashed or is still running, or the tail was cut (deleted segments, a rollback)${
        end.witness === null ? '; the witness never saw this chain' : ''
      } — use --live for chains being written, --witness to compare with the collector archive or Loki`,
    );
  }
  return { problems, warnings, protectedTo: end.protectedTo, unprotected };
}
