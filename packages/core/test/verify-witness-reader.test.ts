import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/index.js';
import type { RecordLineReader } from '../src/internal.js';
import { mutate, mutation } from './support/fuzz-lines.js';
import { makeTrail } from './support/make-trail.js';

// A witness source that hands its record lines over as bytes (`RecordLineReader`, the CLI's collector archive) must
// be read exactly like the same lines iterated as strings: handing `bytes` is handing `bytes.toString('utf8')`,
// handing `text` is handing the string itself (a lone surrogate included). Same report, witness counts and problems.

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

type Item = { bytes: Buffer } | { text: string };

/** The items as the reader hands them over: bytes inside a larger buffer (other bytes around), or text. */
function reader(items: Item[]): AsyncIterable<string> & RecordLineReader {
  return {
    [Symbol.asyncIterator]: () => {
      throw new Error('a RecordLineReader is read with readRecordLines, not iterated');
    },
    readRecordLines: async (sink) => {
      for (const item of items) {
        if ('text' in item) sink.text(item.text);
        else
          sink.bytes(
            Buffer.concat([Buffer.from('{"x":'), item.bytes, Buffer.from('}')]),
            5,
            5 + item.bytes.length,
          );
      }
    },
  };
}

/** The same items as strings, iterated (what the witness got before). */
async function* strings(items: Item[]): AsyncGenerator<string> {
  for (const item of items) yield 'text' in item ? item.text : item.bytes.toString('utf8');
}

describe('a witness read through readRecordLines', () => {
  it('gives the same report as its lines iterated: missing, altered, added, mutated and odd lines', async () => {
    const trail = await makeTrail({ calls: 40, every: 7 });
    const publicKeys = [trail.publicKeyPem];
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: trail.lines.length - 1 }), { maxLength: 5 }),
        fc.uniqueArray(fc.nat({ max: trail.lines.length - 1 }), { maxLength: 3 }),
        fc.array(
          fc.tuple(
            fc.nat({ max: trail.lines.length - 1 }),
            fc.array(mutation, { minLength: 1, maxLength: 3 }),
          ),
          {
            maxLength: 4,
          },
        ),
        fc.boolean(),
        async (dropped, forked, mutated, asText) => {
          const items: Item[] = [];
          trail.lines.forEach((line, i) => {
            if (dropped.includes(i)) return;
            const text = forked.includes(i)
              ? line.replace(/"hash":"([0-9a-f])/, (_, c) => `"hash":"${c === '0' ? '1' : '0'}`)
              : line;
            items.push(asText ? { text } : { bytes: Buffer.from(text) });
          });
          // Added: mutated copies of trail lines (invalid UTF-8 and escapes among them), a record of another
          // chain, one after the trail's last seq, a lone surrogate, a line that is no record at all.
          for (const [i, edits] of mutated)
            items.push({ bytes: mutate(Buffer.from(trail.lines[i] as string), edits) });
          const last = JSON.parse(trail.lines[trail.lines.length - 1] as string);
          items.push({ bytes: Buffer.from(JSON.stringify({ ...last, chain: `${last.chain}-x` })) });
          items.push({ text: JSON.stringify({ ...last, seq: last.seq + 1, note: '\ud800' }) });
          items.push({ bytes: Buffer.from([0x7b, 0xff, 0x7d]) }, { text: 'not a record' });
          const fromReader = await verifyTrail(trail.file, { publicKeys, witness: reader(items) });
          const iterated = await verifyTrail(trail.file, { publicKeys, witness: strings(items) });
          expect(fromReader).toEqual(iterated);
        },
      ),
      { numRuns: 60, seed },
    );
  }, 120_000);
});
