import fs, { fstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditUnavailableError, auditTool } from '../../src/index.js';
import { startAudit } from '../support/audit-harness.js';
import { tempDir } from '../support/make-trail.js';

type SyncCallback = (error: NodeJS.ErrnoException | null) => void;

const original = fs.fdatasync;
const originalSync = fs.fdatasyncSync;

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
  fs.fdatasyncSync = originalSync;
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

/** The segment (name and inode) holding the intent of `orderId`, and the byte offset just past that intent line. */
function intentPlace(dir: string, orderId: string): { segment: string; inode: number; end: number } {
  for (const segment of readdirSync(dir).filter((name) => name.endsWith('.jsonl'))) {
    let end = 0;
    for (const line of readFileSync(join(dir, segment), 'utf8').split('\n')) {
      end += Buffer.byteLength(line) + 1;
      if (line.includes('"type":"intent"') && line.includes(`"${orderId}"`))
        return { segment, inode: statSync(join(dir, segment)).ino, end };
    }
  }
  throw new Error(`no intent for ${orderId}`);
}

const eio = () => Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });

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
    // Refused because the sync failed, each as soon as it did (not after the strict timeout).
    expect(
      settled.map(
        (outcome) => outcome.status === 'rejected' && (outcome.reason as AuditUnavailableError).reason,
      ),
    ).toEqual(Array.from({ length: 16 }, () => 'write_failed'));
    expect(ran).toBe(0);
    failing = false;
    await audit.shutdown();
  });

  it('never confirms an intent by a sync of the next segment: a roll whose sync fails refuses the calls waiting on it', async () => {
    // Every sync on the main thread (the one a segment roll makes before closing the segment) fails; the
    // background syncs work and remember how many bytes of which file (inode) they covered.
    const covered = new Map<number, number>();
    fs.fdatasync = ((fd: number, callback: SyncCallback) => {
      const { ino, size } = fstatSync(fd);
      original(fd, (error) => {
        if (!error) covered.set(ino, Math.max(covered.get(ino) ?? 0, size));
        callback(error);
      });
    }) as typeof fs.fdatasync;
    fs.fdatasyncSync = (() => {
      throw eio();
    }) as typeof fs.fdatasyncSync;
    syncBuiltinESMExports();
    const dir = tempDir();
    // A few intents per segment: the 16 calls below roll the trail several times while their syncs are pending.
    const { audit } = startAudit({ strict: true, trail: { dir, fsync: 'never', maxFileBytes: 2500 } });
    const uncovered: string[] = [];
    let ran = 0;
    const refund = auditTool('refund_order', async (args: { order_id: string }) => {
      ran++;
      const place = intentPlace(dir, args.order_id);
      if ((covered.get(place.inode) ?? 0) < place.end) uncovered.push(`${args.order_id} in ${place.segment}`);
      return 'ok';
    });
    const settled = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => refund({ order_id: `ORD-${i}` })),
    );
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl')).length).toBeGreaterThan(2);
    expect(uncovered).toEqual([]);
    const refused = settled.filter((outcome) => outcome.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((outcome) => AuditUnavailableError.is(outcome.reason))).toBe(true);
    expect(ran).toBe(16 - refused.length);
    await audit.shutdown();
  });

  it('refuses the calls of a segment whose background sync failed while the segment rolled', async () => {
    // The first two background syncs are held: the strict calls' sync, then the `interval` policy's one.
    const held: Array<{ fd: number; callback: SyncCallback }> = [];
    fs.fdatasync = ((fd: number, callback: SyncCallback) => {
      if (held.length < 2) held.push({ fd, callback });
      else original(fd, callback);
    }) as typeof fs.fdatasync;
    syncBuiltinESMExports();
    const dir = tempDir();
    const { audit } = startAudit({
      strict: true,
      trail: { dir, fsync: 'interval', fsyncIntervalMillis: 1, maxFileBytes: 2500 },
    });
    const ran: string[] = [];
    const refund = auditTool('refund_order', async (args: { order_id: string }) => {
      ran.push(args.order_id);
      return 'ok';
    });
    const first = refund({ order_id: 'ORD-0' });
    // The `interval` sync of the first segment starts (and is held) before the calls that roll it.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(held).toHaveLength(2);
    const rest = Array.from({ length: 8 }, (_, i) => refund({ order_id: `ORD-${i + 1}` }));
    const [strictSync, intervalSync] = held;
    // The kernel reports a lost write-back once: here to the interval sync, so the strict sync's succeeds.
    intervalSync!.callback(eio());
    original(strictSync!.fd, strictSync!.callback);
    const settled = await Promise.allSettled([first, ...rest]);
    const segments = readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .sort();
    expect(segments.length).toBeGreaterThan(1);
    const inFirst = Array.from({ length: 9 }, (_, i) => `ORD-${i}`).filter(
      (id) => intentPlace(dir, id).segment === segments[0],
    );
    expect(inFirst.length).toBeGreaterThan(1);
    expect(ran.filter((id) => inFirst.includes(id))).toEqual([]);
    expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(ran.length);
    expect(ran.length).toBeGreaterThan(0);
    await audit.shutdown();
  });
});
