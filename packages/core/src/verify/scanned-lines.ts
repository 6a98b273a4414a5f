import type { ChainFields } from './record-integrity.js';

/** Numbers kept per line in `ScannedLines.fields`. */
export const FIELDS_PER_LINE = 10;
/** The line took the fast path and its bytes hash to its `hash`: the fields describe the record. */
export const LINE_FAST = 0;
/** Any other line: the verifier decodes `[start, end)` and takes the slow path. */
export const LINE_SLOW = 1;
/** A line longer than the limit (not held): `start` holds its length in bytes. */
export const LINE_TOO_LONG = 2;

/**
 * What the scan of a run of whole lines found, as numbers (cheap to send between threads). Per line, at
 * `k * FIELDS_PER_LINE`: line number (from 1 within the run), kind (`LINE_*`), start, end, seq, intent_seq (-1: none),
 * index into `chains`, offset of the `prev` hex digits, offset of the `hash` hex digits, and `linked`: 1 when the
 * line is fast and follows a fast line (`k - 1`) of the same chain with the next seq, its `prev` being that line's
 * `hash` (compared as bytes). Offsets index the bytes scanned; a fast line's `prev` and `hash` are read back from
 * them as latin1.
 */
export interface ScannedLines {
  /** Lines described in `fields` (empty lines are numbered, not described). */
  count: number;
  /** Line numbers the run used, empty lines included. */
  lines: number;
  fields: Float64Array;
  chains: string[];
}

/** The chain fields of the fast line at `at` (`k * FIELDS_PER_LINE`), as `scanToolCallLine` gives them. */
export function scannedRecord(run: ScannedLines, bytes: Buffer, at: number): ChainFields {
  const { fields } = run;
  const prev = fields[at + 7] as number;
  const hash = fields[at + 8] as number;
  const record: ChainFields = {
    v: 1,
    type: 'tool_call',
    chain: run.chains[fields[at + 6] as number] as string,
    seq: fields[at + 4] as number,
    prev: bytes.toString('latin1', prev, prev + 64),
    hash: bytes.toString('latin1', hash, hash + 64),
  };
  const intentSeq = fields[at + 5] as number;
  if (intentSeq >= 0) record.intent_seq = intentSeq;
  return record;
}
