import { isUtf8 } from 'node:buffer';
import * as crypto from 'node:crypto';
import { SCAN_LINE_WAT } from './scan-line-wasm-source.js';
import { lineFields, plainString } from './scan-record-line.js';
import { FIELDS_PER_LINE, LINE_FAST, LINE_SLOW, type ScannedLines } from './scanned-lines.js';
import { assembleWasm } from './wasm-assembler.js';

/** Where the scanned bytes start in the module's memory (results and the container stack come first). */
const DATA = 1024;
/** Zeroed bytes kept after the copied bytes: the scanner reads up to 80 bytes past a line's end. */
const SLACK = 128;
const PAGE = 65536;

/** The parts of the WebAssembly API used here (the project's TypeScript library has no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  scanLine(start: number, end: number): number;
  beginRun(start: number): void;
  scanRun(
    limit: number,
    base: number,
    table: number,
    side: number,
    scratch: number,
    scratchEnd: number,
    maxEntries: number,
    maxLine: number,
  ): number;
}

/** Lines described per `scanRun` call: its tables hold this many. */
const BATCH = 512;
/** Bytes for the hashed bytes of one batch (grown to the run's length for a run with a longer line). */
const SCRATCH = 1 << 17;
/** Longest run scanned here: the module's offsets stay far below 2^31 (runs are 512 KiB; longer ones go to JS). */
const MAX_RUN = 1 << 28;

/**
 * The WebAssembly build of the verifier's scan (scan-line-wasm-source.ts). `scanRun` is `scanLinesInJs` for a whole
 * run; `load` and `scan` are `scanLineFields` for single lines (same lines accepted, same `lineFields`), which the
 * tests hold to the JavaScript scan.
 */
export class WasmLineScanner {
  private _ints!: Int32Array;
  private _numbers!: Float64Array;
  private _memoryBytes!: Buffer;
  /** `bytes` offset + this = offset in the module's memory, for the bytes loaded last. */
  private _shift = 0;

  private constructor(private readonly _exports: Exports) {
    this._views();
  }

  /** One scanner per thread (undefined where WebAssembly SIMD is unavailable: the JavaScript scan runs). */
  static shared(): WasmLineScanner | undefined {
    if (shared === undefined) {
      const module = scanModule();
      try {
        shared = module ? new WasmLineScanner(new (wasmApi().Instance)(module).exports as Exports) : null;
      } catch {
        shared = null;
      }
    }
    return shared ?? undefined;
  }

  /** Copies `bytes[start, end)` into the module's memory; lines of `bytes` in that range can then be scanned. */
  load(bytes: Uint8Array, start: number, end: number): void {
    const needed = DATA + (end - start) + SLACK;
    this._reserve(needed);
    this._memoryBytes.set(bytes.subarray(start, end), DATA);
    this._memoryBytes.fill(0, DATA + (end - start), needed);
    this._shift = DATA - start;
  }

  /** `scanLineFields(bytes, start, end)` for a line within the bytes loaded last (`bytes` is what was loaded). */
  scan(bytes: Buffer, start: number, end: number): boolean {
    const shift = this._shift;
    if (this._exports.scanLine(start + shift, end + shift) === 0) return false;
    const ints = this._ints;
    // JSON.parse sees the line decoded as UTF-8: only a valid UTF-8 line has the same bytes to hash.
    if (ints[9] !== 0 && !isUtf8(bytes.subarray(start, end))) return false;
    const chainStart = (ints[7] as number) - shift;
    lineFields.chain = plainString(bytes, chainStart - 1, (ints[8] as number) - shift + 1) as string;
    lineFields.seq = this._numbers[0] as number;
    lineFields.intentSeq = this._numbers[1] as number;
    lineFields.prevAt = (ints[4] as number) - shift;
    lineFields.hashStart = (ints[5] as number) - shift;
    lineFields.hashEnd = (ints[6] as number) - shift;
    return true;
  }

  /**
   * `scanLines(bytes, maxLineBytes, reuse)` (same lines, numbers, kinds, fields, links): the module splits and
   * scans the run and copies each accepted line's hashed bytes; here they are hashed and compared. Undefined when
   * a line is longer than `maxLineBytes` or the run than `MAX_RUN` (the caller then scans it in JavaScript).
   */
  scanRun(
    bytes: Buffer,
    maxLineBytes: number,
    reuse?: Float64Array,
    batch = BATCH,
    scratchBytes = SCRATCH,
  ): ScannedLines | undefined {
    const length = bytes.length;
    if (length > MAX_RUN) return undefined;
    const table = align8(DATA + length + SLACK);
    const side = table + batch * FIELDS_PER_LINE * 8;
    const scratch = side + batch * 24;
    this._reserve(scratch + scratchBytes);
    this.load(bytes, 0, length);
    const { scanRun, beginRun } = this._exports;
    // The module's memory does not grow during the scan: one reference to it for every view below.
    const memory = this._exports.memory.buffer;
    const rows = new Float64Array(memory, table, batch * FIELDS_PER_LINE);
    const aux = new Int32Array(memory, side, batch * 6);
    let fields = reuse ?? new Float64Array(FIELDS_PER_LINE * Math.max(64, length >> 9));
    let count = 0;
    const chains: string[] = [];
    let chain = '';
    let chainIndex = -1;
    let previousFast = false;
    beginRun(DATA);
    const maxLine = Math.min(maxLineBytes, 0x7fffffff);
    for (;;) {
      const described = scanRun(
        DATA + length,
        DATA,
        table,
        side,
        scratch,
        scratch + scratchBytes,
        batch,
        maxLine,
      );
      if (described === -2) return this.scanRun(bytes, maxLineBytes, reuse, batch, length);
      if (described < 0) return undefined;
      if (described === 0) break;
      if ((count + described) * FIELDS_PER_LINE > fields.length) {
        const larger = new Float64Array(Math.max(fields.length * 2, (count + described) * FIELDS_PER_LINE));
        larger.set(fields.subarray(0, count * FIELDS_PER_LINE));
        fields = larger;
      }
      fields.set(rows.subarray(0, described * FIELDS_PER_LINE), count * FIELDS_PER_LINE);
      for (let k = 0; k < described; k++) {
        const at = (count + k) * FIELDS_PER_LINE;
        if (fields[at + 1] !== 0) {
          previousFast = false;
          continue;
        }
        const a = k * 6;
        const flags = aux[a + 5] as number;
        // The chain id of every accepted line, so `chain` is always the last accepted line's.
        if ((flags & 1) === 0) chain = bytes.toString('latin1', aux[a + 2] as number, aux[a + 3] as number);
        const start = fields[at + 2] as number;
        const end = fields[at + 3] as number;
        const input = aux[a] as number;
        const fast =
          // JSON.parse sees the line decoded as UTF-8: only a valid UTF-8 line has the same bytes to hash.
          (aux[a + 4] === 0 || isUtf8(bytes.subarray(start, end))) &&
          digestIs(new Uint8Array(memory, input, aux[a + 1] as number), bytes, fields[at + 8] as number);
        if (!fast) {
          fields[at + 1] = LINE_SLOW;
          previousFast = false;
          continue;
        }
        fields[at + 1] = LINE_FAST;
        if (chainIndex < 0 || chains[chainIndex] !== chain) {
          chainIndex = chains.indexOf(chain);
          if (chainIndex < 0) chainIndex = chains.push(chain) - 1;
        }
        fields[at + 6] = chainIndex;
        fields[at + 9] = (flags & 2) !== 0 && previousFast ? 1 : 0;
        previousFast = true;
      }
      count += described;
    }
    return { count, lines: this._ints[11] as number, fields, chains };
  }

  private _reserve(bytes: number): void {
    const { memory } = this._exports;
    if (bytes > memory.buffer.byteLength) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
      this._views();
    }
  }

  private _views(): void {
    const { buffer } = this._exports.memory;
    this._ints = new Int32Array(buffer, 0, 16);
    this._numbers = new Float64Array(buffer, 0, 2);
    this._memoryBytes = Buffer.from(buffer);
  }
}

function align8(value: number): number {
  return (value + 7) & ~7;
}

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** Whether the SHA-256 of `data`, in lowercase hex, is the 64 bytes of `bytes` at `at`. */
function digestIs(data: Uint8Array, bytes: Buffer, at: number): boolean {
  const digest = oneShot
    ? oneShot('sha256', data, 'hex')
    : crypto.createHash('sha256').update(data).digest('hex');
  for (let k = 0; k < 64; k++) if (digest.charCodeAt(k) !== bytes[at + k]) return false;
  return true;
}

let shared: WasmLineScanner | null | undefined;
let compiled: object | null | undefined;

function wasmApi(): WasmApi {
  return (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
}

/**
 * The scanner's compiled module, assembled and compiled once per process: the pool hands it to its workers
 * (`useScanModule`), which then skip both. Undefined where the runtime cannot compile it.
 */
export function scanModule(): object | undefined {
  if (compiled === undefined) {
    try {
      compiled = new (wasmApi().Module)(assembleWasm(SCAN_LINE_WAT));
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/** In a worker: the module its pool compiled (see `scanModule`). */
export function useScanModule(module: object | undefined): void {
  if (module && compiled === undefined) compiled = module;
}
