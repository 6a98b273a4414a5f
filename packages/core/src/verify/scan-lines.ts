import { LineSplitter } from '../trail/line-splitter.js';
import { WasmLineScanner } from './scan-line-wasm.js';
import { lineFields, scanLineFields, scannedHashMatches } from './scan-record-line.js';
import { FIELDS_PER_LINE, LINE_FAST, LINE_SLOW, LINE_TOO_LONG, type ScannedLines } from './scanned-lines.js';

/**
 * Scans and hashes `bytes` (whole lines: the run ends after a line break, or at the end of its file) the way
 * `TrailVerification` does line by line: `scanToolCallLine`, then the hash over the bytes. Pure, so a worker
 * thread runs it as well as the verifying thread. `reuse`: a `fields` array of an earlier run, to fill again.
 */
export function scanLines(bytes: Buffer, maxLineBytes: number, reuse?: Float64Array): ScannedLines {
  // The WebAssembly scan where the runtime has it (the same lines, numbers and fields), else the JavaScript one.
  return (
    WasmLineScanner.shared()?.scanRun(bytes, maxLineBytes, reuse) ?? scanLinesInJs(bytes, maxLineBytes, reuse)
  );
}

/** `scanLines` in JavaScript: a `LineSplitter` and `scanLineFields` per line. */
export function scanLinesInJs(bytes: Buffer, maxLineBytes: number, reuse?: Float64Array): ScannedLines {
  let fields = reuse ?? new Float64Array(FIELDS_PER_LINE * Math.max(64, bytes.length >> 9));
  let count = 0;
  const chains: string[] = [];
  let scratch = Buffer.allocUnsafe(1 << 16);
  const slot = (): number => {
    if ((count + 1) * FIELDS_PER_LINE > fields.length) {
      const larger = new Float64Array(fields.length * 2);
      larger.set(fields);
      fields = larger;
    }
    return count++ * FIELDS_PER_LINE;
  };
  const splitter = new LineSplitter(
    (line, from, to, number) => {
      // The run is one push: the splitter hands over its own buffer only for the unterminated last line, which
      // is then the last bytes of the run.
      const start = line === bytes ? from : bytes.length - (to - from);
      const end = line === bytes ? to : bytes.length;
      const at = slot();
      fields[at] = number;
      fields[at + 2] = start;
      fields[at + 3] = end;
      fields[at + 9] = 0;
      if (scanLineFields(bytes, start, end)) {
        if (scratch.length < end - start) scratch = Buffer.allocUnsafe(end - start);
        if (scannedHashMatches(bytes, start, end, lineFields, scratch)) {
          const { chain: id, seq, intentSeq, prevAt, hashStart } = lineFields;
          let chain = chains.length > 0 && chains[chains.length - 1] === id ? chains.length - 1 : -1;
          if (chain < 0) {
            chain = chains.indexOf(id);
            if (chain < 0) chain = chains.push(id) - 1;
          }
          const hashAt = hashStart + 8; // past `"hash":"`
          fields[at + 1] = LINE_FAST;
          fields[at + 4] = seq;
          fields[at + 5] = intentSeq;
          fields[at + 6] = chain;
          fields[at + 7] = prevAt;
          fields[at + 8] = hashAt;
          if (at > 0 && linksTo(bytes, fields, at - FIELDS_PER_LINE, chain, seq, prevAt)) fields[at + 9] = 1;
          return;
        }
      }
      fields[at + 1] = LINE_SLOW;
    },
    (number, length) => {
      const at = slot();
      fields[at] = number;
      fields[at + 1] = LINE_TOO_LONG;
      fields[at + 2] = length;
      fields[at + 9] = 0;
    },
    maxLineBytes,
  );
  splitter.push(bytes);
  splitter.end();
  return { count, lines: splitter.lines, fields, chains };
}

/** Whether the line described at `before` is fast, of `chain`, at `seq - 1`, and its hash digits are `prevAt`'s. */
function linksTo(
  bytes: Buffer,
  fields: Float64Array,
  before: number,
  chain: number,
  seq: number,
  prevAt: number,
): boolean {
  if (fields[before + 1] !== LINE_FAST || fields[before + 6] !== chain || fields[before + 4] !== seq - 1)
    return false;
  const hashAt = fields[before + 8] as number;
  for (let k = 0; k < 64; k++) if (bytes[hashAt + k] !== bytes[prevAt + k]) return false;
  return true;
}
