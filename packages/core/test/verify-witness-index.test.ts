import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WitnessIndex } from '../src/verify/witness-index.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** A small deterministic generator: the same sequence every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('the witness index of a chain', () => {
  // 2 resident pages: nearly every page goes to the temporary file and back; 10,000: none does.
  it.each([2, 10_000])(
    'answers like a map of seq → hash: pages, seqs below the first one, far seqs, conflicts, counts (%i pages in memory)',
    (residentPages) => {
      const next = random(7);
      const first = 50_000;
      const index = new WitnessIndex(residentPages);
      const model = new Map<number, string>();
      const seqs: number[] = [];
      try {
        for (let i = 0; i < 20_000; i++) {
          const r = next();
          // Mostly near the first seq (either side, across pages), some far away, some repeated.
          const seq =
            i === 0
              ? first
              : r < 0.7
                ? Math.floor(first - 20_000 + next() * 60_000)
                : r < 0.8
                  ? Math.floor(next() * 2 ** 40)
                  : (seqs[Math.floor(next() * seqs.length)] ?? first);
          const hash = hashOf(`${seq}:${next() < 0.1 ? 'other' : 'same'}`);
          const known = model.get(seq);
          const conflicts = index.conflicts.length;
          index.add('c', seq, hash);
          expect(index.conflicts.length - conflicts).toBe(known === undefined || known === hash ? 0 : 1);
          if (known === undefined) model.set(seq, hash);
          seqs.push(seq);
        }
        const chain = index.chain('c')!;
        expect(chain.count).toBe(model.size);
        expect(chain.lastSeq).toBe(Math.max(...model.keys()));
        for (const seq of [...seqs, first - 30_000, first + 70_000, 0, -1]) {
          const hash = model.get(seq);
          expect(chain.hash(seq)).toBe(hash);
          // The bytewise comparison with a line's hex digits: same, another hash, or never seen.
          const line = Buffer.from(`x${hash ?? hashOf('never')}`);
          expect(chain.sameHash(seq, line, 1)).toBe(hash === undefined ? undefined : true);
          if (hash !== undefined) {
            line[1 + Math.floor(next() * 64)] = hash.startsWith('0') && next() < 0.5 ? 0x31 : 0x47;
            if (line.toString('latin1', 1) !== hash) expect(chain.sameHash(seq, line, 1)).toBe(false);
          }
        }
        for (const [from, to] of [
          [0, 2 ** 41],
          [first, first + 5000],
          [first - 20_000, first - 1],
          [first + 4095, first + 4097],
        ] as const) {
          const expected = [...model.keys()].filter((seq) => seq >= from && seq <= to).length;
          expect(chain.countBetween(from, to)).toBe(expected);
        }
        if (residentPages === 2) expect(index.spilledPages).toBeGreaterThan(5);
        else expect(index.spilledPages).toBe(0);
      } finally {
        index.close();
      }
    },
  );
});
