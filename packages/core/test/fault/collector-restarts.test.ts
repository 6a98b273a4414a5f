import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit, verifyTrail } from '../../src/index.js';
import { verifyPinned } from '../support/verify-pinned.js';
import { trailLines, trailRecords } from './support/agent.js';
import { CaptureServer } from './support/capture-server.js';

const CALLS = 3_000;
const KILL_AT = [500, 1_200, 1_900];

describe('the collector killed and restarted three times during a run', () => {
  it('loses nothing and duplicates nothing', async () => {
    const capture = new CaptureServer();
    await capture.start();
    const dir = mkdtempSync(join(tmpdir(), 'tooltrail-fault-collector-'));
    const audit = setupToolAudit({
      trail: { dir },
      register: false,
      exitHooks: false,
      logExporter: new OTLPLogExporter({ url: `${capture.url}/v1/logs`, timeoutMillis: 500 }),
      // A small queue, so the outages overflow it and records are read back from the trail.
      logExport: { maxQueue: 200, maxBatch: 100, retryMillis: 20 },
      onError: () => undefined,
    });
    const lookup = auditTool('lookup_order', async (args: { i: number }) => ({ order_id: `ORD-${args.i}` }));

    let restarts = 0;
    let down: Promise<void> | undefined;
    for (let i = 0; i < CALLS; i++) {
      if (KILL_AT.includes(i)) {
        await down; // the previous restart
        await capture.kill();
        // Back after a while, while the agent keeps calling tools.
        down = new Promise((resolve) => setTimeout(resolve, 150)).then(async () => {
          await capture.start();
          restarts++;
        });
      }
      await lookup({ i });
      // Calls go on while the collector is down.
      if (i % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
    }
    await down;
    await audit.shutdown();

    const stats = audit.stats();
    expect(restarts).toBe(KILL_AT.length);
    expect(stats.lost).toBe(0);
    expect(stats.pendingExport).toBe(0);
    expect(stats.overflowed).toBeGreaterThan(0);
    expect(stats.errors.ship_failed).toBeGreaterThan(0);

    const trail = trailRecords(dir);
    expect(trail.filter((record) => record.type === 'tool_call')).toHaveLength(CALLS);
    expect(capture.duplicates()).toEqual([]);
    expect(capture.records.map((record) => record.seq).sort((a, b) => a - b)).toEqual(
      trail.map((record) => record.seq),
    );
    expect(new Set(capture.records.map((record) => record.line))).toEqual(new Set(trailLines(dir)));
    // What the collector received verifies on its own with the trail's key pinned, genesis to final checkpoint.
    const received = capture.records.map((record) => record.line);
    const publicKey = readFileSync(join(dir, 'keys', 'signing-key.pub.pem'), 'utf8');
    const shipped = await verifyTrail(received, { ordered: false, publicKeys: [publicKey] });
    expect(shipped.problems).toEqual([]);
    expect(shipped.ok).toBe(true);
    expect(shipped.chains[0]).toMatchObject({ firstSeq: 0, final: true, unprotected: 0 });
    // And as the trail's witness: it holds every record of the trail, with the same hashes.
    const local = await verifyPinned(dir, { witness: received });
    expect(local.problems).toEqual([]);
    expect(local.ok).toBe(true);
    expect(local.witness).toMatchObject({ witnessed: trail.length, unwitnessed: 0 });
    console.info(
      `fault/collector: ${CALLS} calls, ${trail.length} records, ${KILL_AT.length} kills, ` +
        `${stats.errors.ship_failed} failed exports, ${stats.overflowed} records read back from the trail, ` +
        `${capture.records.length} received, ${capture.duplicates().length} duplicates`,
    );
    await capture.kill();
  }, 60_000);
});
