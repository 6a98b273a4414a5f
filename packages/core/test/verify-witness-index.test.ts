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
  // 2 resident pages: nearly every page goes to the temporary file and back; 10,000: none does. A page slack of 1:
  // pages refused at first (their records in the map) are allocated later, as the records held allow.
  it.each([
    [2, 16],
    [10_000, 16],
    [2, 1],
  ])(
    'answers like a map of seq → hash: pages, seqs below the first one, far seqs, conflicts, counts (%i pages in memory, page slack %i)',
    (residentPages, pageSlack) => {
      const next = random(7);
      const first = 50_000;
      const index = new WitnessIndex({ residentPages, pageSlack });
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
          // Both ways in: the hash as a string, and as the hex digits of a line's bytes (a scanned line's).
          if (i % 2 === 0) index.add('c', seq, hash);
          else index.addHex('c', seq, Buffer.from(`{"hash":"${hash}"}`), 9);
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
        // Slack 1: 1 page, then 1 per 256 records held (some 14,000 distinct here), fewer than the seqs span.
        if (pageSlack === 1) expect(index.pagesAllocated).toBeLessThanOrEqual(2 + chain.count / 256);
      } finally {
        index.close();
      }
    },
  );
});

describe('the witness index against a crafted sparse witness', () => {
  // One record per 4,096 seqs (a 1,024-seq page each), on one chain and on many chains (each with its own dense
  // span): before the bound, every record cost a hash page (in the temporary file) and a presence array.
  it('allocates hash pages in proportion to the records it holds, and still answers like a map', () => {
    const index = new WitnessIndex({ residentPages: 2 });
    const model = new Map<string, string>();
    const put = (chain: string, seq: number, hash: string) => {
      index.add(chain, seq, hash);
      if (!model.has(`${chain}/${seq}`)) model.set(`${chain}/${seq}`, hash);
    };
    try {
      for (let i = 0; i < 300; i++) put('sparse', 1 + i * 4096, hashOf(`s${i}`));
      // Below the first seq too (the pages array would grow to the front).
      for (let i = 1; i <= 100; i++)
        put('sparse', 1 + 300 * 4096 - i * 4096 * 3 - 2_000_000, hashOf(`b${i}`));
      for (let c = 0; c < 300; c++) {
        put(`chain-${c}`, 5, hashOf(`c${c}`));
        put(`chain-${c}`, 5 + 4096 * 1000, hashOf(`d${c}`));
      }
      // Repeats: the same hash, then another one (a conflict each), wherever the record went.
      put('sparse', 1 + 7 * 4096, hashOf('s7'));
      put('chain-3', 5, hashOf('other'));
      put('sparse', 1 + 9 * 4096, hashOf('other'));
      expect(index.conflicts).toEqual([
        { chain: 'chain-3', seq: 5 },
        { chain: 'sparse', seq: 1 + 9 * 4096 },
      ]);
      const held = model.size;
      expect(held).toBe(1000);
      // The bound: a few pages (16, then one per 256 records held), not one per record (1,000 before).
      expect(index.pagesAllocated).toBeLessThanOrEqual(17 + held / 256);
      expect(index.spilledPages).toBeLessThanOrEqual(17 + held / 256);
      for (const [key, hash] of model) {
        const [chain, seqText] = key.split('/') as [string, string];
        const seen = index.chain(chain)!;
        const seq = Number(seqText);
        expect(seen.hash(seq)).toBe(hash);
        expect(seen.sameHash(seq, Buffer.from(hash), 0)).toBe(true);
        expect(seen.sameHash(seq, Buffer.from(hashOf('x')), 0)).toBe(false);
        expect(seen.hash(seq + 1)).toBeUndefined();
      }
      expect(index.chain('sparse')!.count).toBe(400);
      expect(index.chain('sparse')!.countBetween(1, 1 + 299 * 4096)).toBe(300);
      expect(index.chain('chain-7')!.count).toBe(2);
      expect(index.chain('chain-7')!.countBetween(0, 2 ** 40)).toBe(2);
    } finally {
      index.close();
    }
  });
});
