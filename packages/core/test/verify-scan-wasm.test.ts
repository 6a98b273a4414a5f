import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealRecord } from '../src/chain/record-hash.js';
import { GENESIS_HASH } from '../src/record/audit-record.js';
import { WasmLineScanner } from '../src/verify/scan-line-wasm.js';
import { scanLines, scanLinesInJs } from '../src/verify/scan-lines.js';
import { lineFields, scanLineFields } from '../src/verify/scan-record-line.js';
import type { ScannedLines } from '../src/verify/scanned-lines.js';
import { assembleWasm } from '../src/verify/wasm-assembler.js';
import { type Mutation, mutate, mutation, sealedLine } from './support/fuzz-lines.js';
import { makeTrail } from './support/make-trail.js';

// The verifier scans runs of trail lines with a WebAssembly module (packages/core/src/verify/
// scan-line-wasm-source.ts) where the runtime has it. It must be the JavaScript scan exactly: the same lines
// accepted with the same fields (scanLineFields, itself held to JSON.parse by verify-fast-path.test.ts), and for
// whole runs the same line numbers, kinds, offsets, chains and links as scanLinesInJs — so every report is the
// same either way. These properties compare the two on real, sealed and mutated lines and on fuzzed runs.

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const wasm = WasmLineScanner.shared();

/** What `scanLineFields` found, or false. */
function jsScan(bytes: Buffer, start: number, end: number): false | Record<string, unknown> {
  return scanLineFields(bytes, start, end) && { ...lineFields };
}

function wasmScan(bytes: Buffer, start: number, end: number): false | Record<string, unknown> {
  const scanner = wasm as WasmLineScanner;
  scanner.load(bytes, 0, bytes.length);
  return scanner.scan(bytes, start, end) && { ...lineFields };
}

/** A run's description with what the verifier reads of each line (a slow line: its number, kind and place). */
function described(run: ScannedLines): unknown[] {
  const out: unknown[] = [run.lines];
  for (let at = 0; at < run.count * 10; at += 10) {
    const f = Array.from(run.fields.subarray(at, at + 10));
    out.push(
      f[1] === 0 ? [...f.slice(0, 6), run.chains[f[6] as number], ...f.slice(7)] : [...f.slice(0, 4), f[9]],
    );
  }
  return out;
}

/** Consecutive sealed records of one chain (each `prev` the hash before), with arbitrary free fields. */
function sealedChain(chain: string, count: number, from = 1): Buffer[] {
  let prev = GENESIS_HASH;
  const lines: Buffer[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const sealed = sealRecord({
      v: 1,
      type: 'tool_call',
      chain,
      seq,
      prev,
      ts: 'x',
      args: { n: seq, s: 'é' },
    });
    prev = sealed.hash;
    lines.push(Buffer.from(sealed.line));
  }
  return lines;
}

describe('WebAssembly line scanner', () => {
  it('is available on this runtime (else the verifier scans in JavaScript)', () => {
    expect(wasm).toBeDefined();
  });

  it('assembles only the instructions it knows', () => {
    expect(() => assembleWasm('memory 1\nfunc $f -> none\n  i32.frobnicate\nendfunc')).toThrow(/line 3/);
    expect(() => assembleWasm('memory 1\nfunc $f -> none\n  br $nowhere\nendfunc')).toThrow(/no enclosing/);
  });

  it('accepts exactly the lines the JavaScript scan accepts, with the same fields (fuzzed)', async () => {
    const trail = await makeTrail({ calls: 12, every: 5 });
    const realLines = trail.lines.map((line) => Buffer.from(line));
    let accepted = 0;
    let runs = 0;
    console.log(`wasm scan fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...realLines), sealedLine),
        fc.array(mutation, { maxLength: 3 }),
        fc.boolean(),
        (line, edits, atEnd) => {
          runs++;
          const bytes = mutate(line, edits as Mutation[]);
          // Bytes around the line belong to other lines; at the end of the buffer there are none.
          const padded = Buffer.concat([
            Buffer.from('"}],:1\n'),
            bytes,
            Buffer.from(atEnd ? '' : '\n"}],:1e'),
          ]);
          const start = 7;
          const end = start + bytes.length;
          const expected = jsScan(padded, start, end);
          expect(wasmScan(padded, start, end)).toEqual(expected);
          if (expected) accepted++;
        },
      ),
      { numRuns: 4000, seed },
    );
    expect(accepted).toBeGreaterThan(runs / 10);
  });

  it('every single-byte change of a real line: the same verdict and fields', async () => {
    const trail = await makeTrail({ calls: 2, every: 10 });
    const line = Buffer.from(trail.lines[1] as string);
    const values = [
      0, 9, 10, 13, 32, 34, 44, 45, 46, 48, 49, 58, 69, 91, 92, 93, 101, 102, 110, 116, 117, 123, 125,
    ];
    for (const value of [...values, 127, 128, 200, 255]) {
      for (let i = 0; i < line.length; i++) {
        const bytes = Buffer.from(line);
        bytes[i] = value;
        expect(wasmScan(bytes, 0, bytes.length)).toEqual(jsScan(bytes, 0, bytes.length));
      }
    }
  });

  it('describes a run as scanLinesInJs does: numbers, kinds, offsets, chains, links (fuzzed runs)', () => {
    const chains = [sealedChain('20261127T000000Z-abcd1234', 40), sealedChain('other', 10, 7)];
    const separators = ['\n', '\r\n', '\r', '\n\n', '\r\r\n'];
    let fast = 0;
    let linked = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            source: fc.oneof(
              fc.record({ chain: fc.nat({ max: 1 }), index: fc.nat({ max: 39 }) }),
              sealedLine.map((line) => ({ line })),
            ),
            edits: fc.oneof(fc.constant([]), fc.array(mutation, { maxLength: 2 })),
            separator: fc.constantFrom(...separators),
            // Runs of consecutive records of a chain, as the writer leaves them (they link).
            stretch: fc.nat({ max: 6 }),
          }),
          { minLength: 1, maxLength: 14 },
        ),
        fc.boolean(),
        fc.constantFrom(1, 2, 3, 512),
        fc.constantFrom(700, 4096, 1 << 17),
        fc.constantFrom(300, 1 << 28),
        (parts, finalNewline, batch, scratch, maxLine) => {
          const pieces: Buffer[] = [];
          for (const part of parts) {
            let lines: Buffer[];
            if ('line' in part.source) lines = [part.source.line];
            else {
              const chain = chains[part.source.chain] as Buffer[];
              lines = chain.slice(part.source.index, part.source.index + 1 + part.stretch);
            }
            for (const line of lines) {
              pieces.push(mutate(line, part.edits as Mutation[]), Buffer.from(part.separator));
            }
          }
          if (!finalNewline) pieces.pop();
          const bytes = Buffer.concat(pieces);
          const expected = scanLinesInJs(bytes, maxLine);
          const run = (wasm as WasmLineScanner).scanRun(bytes, maxLine, undefined, batch, scratch);
          // Undefined only where a line is over the limit (the JavaScript scan then splits the run).
          if (run === undefined) {
            expect(maxLine).toBe(300);
            expect(described(scanLines(bytes, maxLine))).toEqual(described(expected));
            return;
          }
          expect(described(run)).toEqual(described(expected));
          for (let at = 0; at < run.count * 10; at += 10) {
            if (run.fields[at + 1] === 0) fast++;
            linked += run.fields[at + 9] as number;
          }
        },
      ),
      { numRuns: 1500, seed },
    );
    // Not vacuous: many lines went the fast way, many of them linked.
    expect(fast).toBeGreaterThan(1500);
    expect(linked).toBeGreaterThan(500);
  });

  it('links a chain’s consecutive records and nothing else, across batches', () => {
    const lines = [...sealedChain('a', 5), ...sealedChain('b', 3, 6), ...sealedChain('a', 2, 6)];
    const bytes = Buffer.concat(lines.map((line) => Buffer.concat([line, Buffer.from('\n')])));
    for (const batch of [1, 2, 512]) {
      const run = (wasm as WasmLineScanner).scanRun(bytes, 1 << 28, undefined, batch) as ScannedLines;
      const links = Array.from({ length: run.count }, (_, k) => run.fields[k * 10 + 9]);
      // The second `a` stretch starts a new chain of its own (its first prev is the genesis hash): not linked.
      expect(links).toEqual([0, 1, 1, 1, 1, 0, 1, 1, 0, 1]);
      expect(run.chains).toEqual(['a', 'b']);
    }
  });
});
