import { describe, expect, it } from 'vitest';
import { defaultScanThreads } from '../src/verify/scan-pool.js';

/** How many worker threads verify starts by default: the memory a witness run holds leaves room for one fewer. */
describe('defaultScanThreads', () => {
  it('is one per CPU, at most 4, without a witness', () => {
    expect([1, 2, 3, 4, 8, 64].map((cpus) => defaultScanThreads(cpus, false))).toEqual([1, 2, 3, 4, 4, 4]);
  });

  it('is one fewer, and never none, while a witness index is held', () => {
    expect([1, 2, 3, 4, 5, 8].map((cpus) => defaultScanThreads(cpus, true))).toEqual([1, 1, 2, 3, 3, 3]);
  });

  it('treats a nonsensical CPU count as one CPU', () => {
    expect(defaultScanThreads(0, false)).toBe(1);
    expect(defaultScanThreads(Number.NaN, true)).toBe(1);
  });
});
