import { describe, expect, it } from 'vitest';
import { isTrailFileName, parseSegmentName, segmentFileName } from '../../src/trail/segment-name.js';

const CHAIN = '20261204T184039Z-1a2b3c4d';

describe('segment file names', () => {
  it('formats `<chain>.<6 digits>.jsonl` and parses it back, for chain ids with dots too', () => {
    expect(segmentFileName(CHAIN, 0)).toBe(`${CHAIN}.000000.jsonl`);
    expect(segmentFileName(CHAIN, 42)).toBe(`${CHAIN}.000042.jsonl`);
    for (const chain of [CHAIN, 'c1', 'a.b', 'x.000001', '..']) {
      for (const segment of [0, 1, 7, 123456, 999999]) {
        expect(parseSegmentName(segmentFileName(chain, segment))).toEqual({ chain, segment });
      }
    }
  });

  it('sorts by name in segment order', () => {
    const numbers = [10, 2, 0, 999, 1, 100000, 11];
    const names = numbers.map((segment) => segmentFileName(CHAIN, segment)).sort();
    expect(names.map((name) => parseSegmentName(name)?.segment)).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('rejects look-alikes and paths', () => {
    for (const name of [
      `${CHAIN}.000001.jsonl.bak`,
      `${CHAIN}.000001.json`,
      `${CHAIN}.000001.JSONL`,
      `${CHAIN}.1.jsonl`,
      `${CHAIN}.0000001.jsonl`,
      `${CHAIN}.00000a.jsonl`,
      `${CHAIN}.shipped`,
      `${CHAIN}.lock`,
      `${CHAIN}.anchors.jsonl`,
      '.000001.jsonl',
      '000001.jsonl',
      `../${CHAIN}.000001.jsonl`,
      `retention/${CHAIN}.000001.jsonl`,
      `..\\${CHAIN}.000001.jsonl`,
    ]) {
      expect(parseSegmentName(name), name).toBeUndefined();
    }
  });

  it('reads any `*.jsonl` as a trail file, nothing else', () => {
    expect(isTrailFileName(segmentFileName(CHAIN, 3))).toBe(true);
    expect(isTrailFileName('copied-by-hand.jsonl')).toBe(true);
    for (const name of ['x.jsonl.bak', 'x.json', `${CHAIN}.shipped`, `${CHAIN}.lock`, 'retention']) {
      expect(isTrailFileName(name), name).toBe(false);
    }
  });
});
