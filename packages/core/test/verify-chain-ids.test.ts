import { copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/index.js';
import { makeTrail } from './support/make-trail.js';

/**
 * The fast path remembers the last chain id it read, by its bytes. Buffers are reused from one read to the next
 * (runs of a file, one file to the next): the remembered bytes must be a copy, or a line of another chain at
 * the same offset would be taken for the remembered chain.
 */
describe('chain ids read by the fast path', () => {
  it('tells two chains apart when their files are read through the same buffers', async () => {
    const a = await makeTrail({ calls: 40, every: 10 });
    const b = await makeTrail({ calls: 40, every: 10 });
    copyFileSync(b.file, join(a.dir, basename(b.file)));
    for (const workers of [0, 1]) {
      const report = await verifyTrail(a.dir, { publicKeys: [a.publicKeyPem, b.publicKeyPem], workers });
      expect(report.problems).toEqual([]);
      expect(report.chains.map((chain) => chain.records)).toEqual([a.lines.length, b.lines.length]);
      expect(report.verdict).toBe('intact');
    }
  });
});
