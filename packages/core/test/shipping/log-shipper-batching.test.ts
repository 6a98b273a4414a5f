import { setTimeout as sleep } from 'node:timers/promises';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import type { SealedRecord } from '../../src/chain/hash-chain.js';
import { ErrorHandler } from '../../src/internal/error-handler.js';
import { LogShipper } from '../../src/shipping/log-shipper.js';

function sealed(seq: number): SealedRecord {
  const record = { type: 'tool_call', chain: 'c', seq, hash: String(seq), ts: new Date().toISOString() };
  return { record, line: JSON.stringify(record) };
}

/** An exporter that records the size of each batch; `fail` makes its calls fail. */
function countingExporter() {
  const batches: number[] = [];
  const exporter = {
    fail: false,
    batches,
    export(logs: ReadableLogRecord[], done: (result: { code: ExportResultCode }) => void) {
      batches.push(logs.length);
      done({ code: exporter.fail ? ExportResultCode.FAILED : ExportResultCode.SUCCESS });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
  return exporter;
}

function shipper(
  exporter: LogRecordExporter,
  options: { maxBatch?: number; retryMillis?: number; batchDelayMillis?: number } = {},
) {
  return new LogShipper({
    exporter,
    resource: resourceFromAttributes({}),
    errors: new ErrorHandler(() => undefined),
    // Long enough that a loaded machine cannot reach it by accident; the last test shortens it.
    batchDelayMillis: 10_000,
    ...options,
  });
}

describe('LogShipper batching', () => {
  it('exports records that arrive between I/O waits as one batch, not one export every few calls', async () => {
    const exporter = countingExporter();
    const logs = shipper(exporter);
    // 40 calls, each after a wait that lets timers run (a tool's network round trip).
    for (let seq = 0; seq < 40; seq++) {
      logs.enqueue(sealed(seq));
      await sleep(1);
    }
    expect(exporter.batches).toEqual([]);
    await logs.shutdown();
    expect(exporter.batches).toEqual([40]);
  });

  it('exports a partial batch once the delay has passed', async () => {
    const exporter = countingExporter();
    const logs = shipper(exporter, { batchDelayMillis: 20 });
    for (let seq = 0; seq < 3; seq++) logs.enqueue(sealed(seq));
    expect(exporter.batches).toEqual([]);
    await sleep(300);
    expect(exporter.batches).toEqual([3]);
    expect(logs.pending).toBe(0);
    await logs.shutdown();
  });

  it('exports a full batch at once, without waiting for the delay', async () => {
    const exporter = countingExporter();
    const logs = shipper(exporter, { maxBatch: 10 });
    for (let seq = 0; seq < 25; seq++) logs.enqueue(sealed(seq));
    await sleep(20);
    expect(exporter.batches).toEqual([10, 10]);
    await logs.shutdown();
    expect(exporter.batches).toEqual([10, 10, 5]);
  });

  it('keeps a failed export’s backoff when a full batch arrives meanwhile', async () => {
    const exporter = countingExporter();
    const logs = shipper(exporter, { maxBatch: 5, retryMillis: 1_000 });
    exporter.fail = true;
    for (let seq = 0; seq < 5; seq++) logs.enqueue(sealed(seq));
    await sleep(20);
    expect(exporter.batches).toEqual([5]);
    exporter.fail = false;
    for (let seq = 5; seq < 15; seq++) logs.enqueue(sealed(seq));
    await sleep(50);
    expect(exporter.batches).toEqual([5]);
    const started = Date.now();
    await logs.shutdown();
    expect(Date.now() - started).toBeGreaterThan(800);
    expect(exporter.batches).toEqual([5, 5, 5, 5]);
  });

  it('forceFlush waits for the last batch it started to be acknowledged (no false ship_timeout)', async () => {
    const acknowledged: number[] = [];
    const reported: string[] = [];
    // A collector that answers 30 ms later, like any exporter over the network.
    const slow: LogRecordExporter = {
      export(logs, done) {
        setTimeout(() => {
          acknowledged.push(logs.length);
          done({ code: ExportResultCode.SUCCESS });
        }, 30);
      },
      shutdown: async () => undefined,
      forceFlush: async () => undefined,
    };
    const logs = new LogShipper({
      exporter: slow,
      resource: resourceFromAttributes({}),
      errors: new ErrorHandler((error) => reported.push((error as Error).message)),
      batchDelayMillis: 10_000,
    });
    for (let seq = 0; seq < 3; seq++) logs.enqueue(sealed(seq));
    await logs.forceFlush();
    // Before: the flush returned as soon as the export was started, reporting it as not exported.
    expect(acknowledged).toEqual([3]);
    expect(logs.shipped).toBe(3);
    expect(logs.pending).toBe(0);
    expect(reported.filter((message) => message.includes('not yet exported'))).toEqual([]);
    await logs.shutdown();
  });
});
