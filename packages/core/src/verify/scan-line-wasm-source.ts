import { CHAIN_FIELDS_WAT } from './scan-wasm/chain-fields.wat.js';
import { JSON_VALUES_WAT } from './scan-wasm/json-values.wat.js';
import { SCAN_LINE_FUNC_WAT } from './scan-wasm/scan-line.wat.js';
import { SCAN_RUN_WAT } from './scan-wasm/scan-run.wat.js';

/**
 * The WebAssembly text of the verifier's line scanner, its functions in scan-wasm/ by what they do (assembled by wasm-assembler.ts, loaded by
 * scan-line-wasm.ts). It is `scanLineFields` of scan-record-line.ts, rule for rule — the same lines accepted, the
 * same fields found (test/verify-scan-wasm.test.ts fuzzes one against the other) — with string bodies skipped 16
 * bytes at a time (SIMD: one compare finds the next quote, backslash, control or non-ASCII byte).
 *
 * `scanRun` does for a run of lines what `scanLines` (scan-lines.ts) does around the scan: splits the lines the way
 * `LineSplitter` does, numbers them, and for each line the scan accepts copies the bytes its hash covers into a
 * scratch area and tells whether it links to the line before; the caller then only hashes and compares.
 *
 * Memory: results of the last `scanLine` at 0 (f64 seq, f64 intent_seq or -1, then i32 prevAt, hashStart,
 * hashEnd, chainStart, chainEnd, highByte), the state of `scanRun` at 40, the container stack at 128 (256 bytes),
 * the scanned bytes from 1024 on, then the areas `scanRun` is given. Reads may go up to 80 bytes past a line's end:
 * the loader keeps 128 zeroed bytes after the bytes it copies in.
 */
export const SCAN_LINE_WAT = `
memory 18
global $esc      ;; the last string held an escape
global $high     ;; a byte >= 0x80 was seen in a string of the line
global $nested   ;; a nested "hash": member (key hash, string value) was seen

${JSON_VALUES_WAT}${CHAIN_FIELDS_WAT}${SCAN_LINE_FUNC_WAT}${SCAN_RUN_WAT}
export $beginRun
export $scanRun
export $scanLine
`;
