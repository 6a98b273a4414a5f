import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { ErrorHandler } from '../../src/internal/error-handler.js';
import { ChainReplay } from '../../src/shipping/chain-replay.js';
import { toAuditLogRecord } from '../../src/shipping/otlp-log-record.js';
import { segmentFileName } from '../../src/trail/segment-name.js';
import { cursorPath } from '../../src/trail/ship-cursor.js';
import { tempDir } from '../support/make-trail.js';

/** The replay an agent of this process runs over `dir`. */
function replayOf(dir: string): ChainReplay {
  const resource = resourceFromAttributes({});
  return new ChainReplay({
    dir,
    chainId: 'this-process',
    maxBatch: 512,
    errors: new ErrorHandler(() => undefined),
    toLogRecord: (sealed) => toAuditLogRecord(sealed, resource),
  });
}

describe('ChainReplay', () => {
  it('looks at a bounded number of older chains per turn, so thousands of finished ones never hold the agent', () => {
    const dir = tempDir('tooltrail-replay-turns-');
    const chains = 1_000;
    for (let i = 0; i < chains; i++) {
      const chain = `20200101T000000Z-${i.toString(16).padStart(8, '0')}`;
      writeFileSync(join(dir, segmentFileName(chain, 0)), '');
      // Shipped to its final checkpoint: nothing to replay, only its cursor to read.
      writeFileSync(cursorPath(dir, chain), JSON.stringify({ chain, seq: 5, final: true }));
    }
    const replay = replayOf(dir);
    // Before: one call read all 1,000 cursors (20,000 chains held the agent's thread for about 0.4 s).
    let turns = 0;
    while (replay.hasWork) {
      expect(replay.next()).toBeUndefined();
      turns++;
    }
    expect(turns).toBeGreaterThanOrEqual(10);
    expect(turns).toBeLessThanOrEqual(chains);
  });

  it('saves its end past an over-long unterminated tail, so no later start scans it again', () => {
    const dir = tempDir('tooltrail-replay-tail-');
    const chain = '20200101T000000Z-0000abcd';
    const segment = join(dir, segmentFileName(chain, 0));
    const record = { type: 'tool_call', chain, seq: 0, hash: 'h0', ts: new Date(0).toISOString() };
    writeFileSync(segment, `${JSON.stringify(record)}\n`);
    // 300 MiB of zeros without a newline (sparse): longer than any line, skipped, but scanned at every start.
    truncateSync(segment, 300 * 1024 * 1024);
    const replay = replayOf(dir);
    const batches = [];
    while (replay.hasWork) {
      const batch = replay.next();
      if (batch) {
        batches.push(batch);
        replay.acknowledge(batch);
      }
    }
    expect(batches.map((batch) => batch.lastSeq)).toEqual([0]);
    expect(JSON.parse(readFileSync(cursorPath(dir, chain), 'utf8'))).toMatchObject({
      seq: 0,
      segment: 0,
      offset: 300 * 1024 * 1024,
    });
  });
});
