import fs, { fstatSync, readdirSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditTool } from '../../src/index.js';
import { startAudit } from '../support/audit-harness.js';
import { tempDir } from '../support/make-trail.js';

type SyncCallback = (error: NodeJS.ErrnoException | null) => void;

const original = fs.fdatasync;

/**
 * Wraps fs.fdatasync (and the `node:fs` named export the trail imports): counts the syncs and tracks how many
 * bytes of the file a finished sync covers — the file's size when that sync began.
 */
function countSyncs(): { count: () => number; coveredBytes: () => number } {
  let count = 0;
  let covered = 0;
  fs.fdatasync = ((fd: number, callback: SyncCallback) => {
    count++;
    const sizeAtStart = fstatSync(fd).size;
    original(fd, (error) => {
      if (!error) covered = Math.max(covered, sizeAtStart);
      callback(error);
    });
  }) as typeof fs.fdatasync;
  syncBuiltinESMExports();
  return { count: () => count, coveredBytes: () => covered };
}

afterEach(() => {
  fs.fdatasync = original;
  syncBuiltinESMExports();
});

/** Byte offset just past the intent line of `orderId` in the (single-segment) trail. */
function intentEnd(dir: string, orderId: string): number {
  const [segment] = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
  const text = readFileSync(join(dir, segment!), 'utf8');
  const lines = text.split('\n');
  let offset = 0;
  for (const line of lines) {
    offset += Buffer.byteLength(line) + 1;
    if (line.includes('"type":"intent"') && line.includes(`"${orderId}"`)) return offset;
  }
  throw new Error(`no intent for ${orderId}`);
}

describe('strict mode group commit', () => {
  it('lets 64 concurrent strict calls share far fewer than 64 fdatasyncs, each after its own intent', async () => {
    const syncs = countSyncs();
    const { audit, dir, records } = startAudit({ strict: true, trail: { dir: tempDir(), fsync: 'never' } });
    const uncovered: string[] = [];
    const refund = auditTool('refund_order', async (args: { order_id: string }) => {
      // The tool runs only once a sync that began after this call's intent was written has finished.
      if (intentEnd(dir, args.order_id) > syncs.coveredBytes()) uncovered.push(args.order_id);
      return { refund_id: `R-${args.order_id}` };
    });
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => refund({ order_id: `ORD-${i}` })));
    expect(results.map((result) => result.refund_id)).toEqual(
      Array.from({ length: 64 }, (_, i) => `R-ORD-${i}`),
    );
    expect(uncovered).toEqual([]);
    expect(records().filter((record) => record.type === 'intent')).toHaveLength(64);
    expect(syncs.count()).toBeGreaterThan(0);
    expect(syncs.count()).toBeLessThanOrEqual(8);
    await audit.shutdown();
  });

  it('rejects every strict call waiting on a sync that fails, and runs none of their tools', async () => {
    let failing = true;
    fs.fdatasync = ((fd: number, callback: SyncCallback) => {
      if (failing) setImmediate(() => callback(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })));
      else original(fd, callback);
    }) as typeof fs.fdatasync;
    syncBuiltinESMExports();
    const { audit } = startAudit({ strict: true, trail: { dir: tempDir(), fsync: 'never' } });
    let ran = 0;
    const refund = auditTool('refund_order', async (_args: { order_id: string }) => {
      ran++;
      return 'ok';
    });
    const settled = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => refund({ order_id: `ORD-${i}` })),
    );
    expect(settled.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(ran).toBe(0);
    failing = false;
    await audit.shutdown();
  });
});
