import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WitnessChain } from '../src/verify/witness-index.js';

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
  it('answers like a map of seq → hash: pages, seqs below the first one, far seqs, conflicts, counts', () => {
    const next = random(7);
    const first = 50_000;
    const chain = new WitnessChain(first);
    const model = new Map<number, string>();
    const seqs: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = next();
      // Mostly near the first seq (either side, across pages), some far away, some repeated.
      const seq =
        r < 0.7
          ? Math.floor(first - 20_000 + next() * 60_000)
          : r < 0.8
            ? Math.floor(next() * 2 ** 40)
            : (seqs[Math.floor(next() * seqs.length)] ?? first);
      const hash = hashOf(`${seq}:${next() < 0.1 ? 'other' : 'same'}`);
      const known = model.get(seq);
      expect(chain.add(seq, hash)).toBe(known === undefined || known === hash);
      if (known === undefined) model.set(seq, hash);
      seqs.push(seq);
    }
    expect(chain.count).toBe(model.size);
    expect(chain.lastSeq).toBe(Math.max(...model.keys()));
    for (const seq of [...seqs, first - 30_000, first + 70_000, 0, -1])
      expect(chain.hash(seq)).toBe(model.get(seq));
    for (const [from, to] of [
      [0, 2 ** 41],
      [first, first + 5000],
      [first - 20_000, first - 1],
      [first + 4095, first + 4097],
    ] as const) {
      const expected = [...model.keys()].filter((seq) => seq >= from && seq <= to).length;
      expect(chain.countBetween(from, to)).toBe(expected);
    }
  });
});
