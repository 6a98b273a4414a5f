import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditTool,
  generateSigningKeyPair,
  type SetupToolAuditOptions,
  setupToolAudit,
  type ToolAudit,
  verifyTrail,
} from '../../src/index.js';
import { ErrorHandler } from '../../src/internal/error-handler.js';
import { LogShipper } from '../../src/shipping/log-shipper.js';
import { tempDir } from '../support/make-trail.js';

/**
 * Attacks on the promise "a returned call has its record in the trail, and every trail record reaches the
 * exporter or is counted as pending": each case either keeps the record or counts and reports the loss.
 */

const keys = generateSigningKeyPair();
const opened: ToolAudit[] = [];
afterAll(async () => {
  for (const audit of opened) await audit.shutdown();
});

function setup(options: SetupToolAuditOptions = {}, reported: string[] = []): ToolAudit {
  const audit = setupToolAudit({
    trail: { dir: tempDir('tooltrail-loss-') },
    register: false,
    exitHooks: false,
    signingKey: { privateKey: keys.privateKeyPem },
    onError: (error) => reported.push(String((error as Error).message)),
    ...options,
  } as SetupToolAuditOptions & { exitHooks: boolean });
  opened.push(audit);
  return audit;
}

function trailRecords(
  dir: string,
): Array<{ type: string; chain: string; seq: number; tool?: string; success?: boolean }> {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

const toolCalls = (dir: string, chain?: string) =>
  trailRecords(dir).filter((r) => r.type === 'tool_call' && (chain === undefined || r.chain === chain));

/** An exporter that keeps what it acknowledges; `mode` decides how it misbehaves. */
function exporter(mode: 'ok' | 'fail' | 'throw' | 'twice' = 'ok') {
  const lines: string[] = [];
  const box = {
    mode,
    lines,
    calls: 0,
    export(logs: ReadableLogRecord[], done: (result: { code: ExportResultCode }) => void) {
      box.calls++;
      if (box.mode === 'throw') throw new Error('exporter exploded');
      if (box.mode === 'fail') return done({ code: ExportResultCode.FAILED });
      for (const log of logs) lines.push(String(log.body));
      done({ code: ExportResultCode.SUCCESS });
      if (box.mode === 'twice') done({ code: ExportResultCode.FAILED });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
  return box as typeof box & LogRecordExporter;
}

/** Leaves `audit` as a SIGKILLed process would: not shut down, its lock owned by a dead process. */
function crash(audit: ToolAudit): void {
  opened.splice(opened.indexOf(audit), 1);
  writeFileSync(join(audit.trailDir, `${audit.chainId}.lock`), `${process.pid} 0123456789abcdef\n`);
}

const keyOf = (line: string) => {
  const record = JSON.parse(line) as { chain: string; seq: number };
  return `${record.chain}#${record.seq}`;
};

describe('calls racing shutdown', () => {
  it('a second setup keeps auditing after the first one is shut down', async () => {
    const first = setup();
    const second = setup();
    const lookup = auditTool('lookup', (i: number) => i);
    await first.shutdown();
    for (let i = 0; i < 5; i++) expect(lookup(i)).toBe(i);
    expect(toolCalls(second.trailDir)).toHaveLength(5);
  });

  it('an older setup audits again once the newer one is shut down', async () => {
    const first = setup();
    const second = setup();
    const lookup = auditTool('lookup', (i: number) => i);
    expect(lookup(1)).toBe(1);
    await second.shutdown();
    expect(lookup(2)).toBe(2);
    expect(toolCalls(second.trailDir)).toHaveLength(1);
    expect(toolCalls(first.trailDir)).toHaveLength(1);
  });

  it('a call after the last setup shut down runs, with a warning that it is not audited', async () => {
    for (const audit of opened) await audit.shutdown();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('tooltrail.warned-shut-down')];
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listen);
    try {
      const lookup = auditTool('lookup', (i: number) => i);
      expect(lookup(1)).toBe(1);
      expect(lookup(2)).toBe(2);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listen);
    }
    expect(warnings.filter((message) => message.includes('tooltrail'))).toEqual([
      'tooltrail: auditTool called after the audit was shut down; tool calls are NOT audited',
    ]);
  });

  it('counts as lost a call that returns after shutdown (in flight, or a tool that shuts the audit down)', async () => {
    const reported: string[] = [];
    const audit = setup({}, reported);
    let release: () => void = () => undefined;
    const slow = auditTool('slow', async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return 'late';
    });
    const pending = slow();
    await new Promise((resolve) => setImmediate(resolve));
    const closing = audit.shutdown();
    release();
    expect(await pending).toBe('late');
    await closing;
    // A sync tool that shuts the audit down returns its result after the trail closed.
    const other = setup({}, reported);
    const quitter = auditTool('quitter', () => {
      void other.shutdown();
      return 'bye';
    });
    expect(quitter()).toBe('bye');
    await other.shutdown();
    expect(toolCalls(audit.trailDir)).toHaveLength(0);
    expect(toolCalls(other.trailDir)).toHaveLength(0);
    expect(audit.stats().lost).toBe(1);
    expect(other.stats().lost).toBe(1);
    expect(reported.some((message) => message.includes('after shutdown'))).toBe(true);
  });
});

describe('hostile tools', () => {
  it('records a call whose tool throws values that are not Errors', async () => {
    const audit = setup();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const thrown: unknown[] = [
      null,
      undefined,
      42,
      Symbol('s'),
      10n,
      hostile,
      {
        toJSON: () => {
          throw 1;
        },
      },
    ];
    const thrower = auditTool('thrower', (value: unknown) => {
      throw value;
    });
    const rejecter = auditTool('rejecter', async (value: unknown) => Promise.reject(value));
    // The very value thrown comes back (compared by identity: the proxy cannot be inspected).
    for (const value of thrown) {
      let caught: unknown = 'none';
      try {
        thrower(value);
      } catch (error) {
        caught = error;
      }
      expect(caught === value).toBe(true);
      caught = 'none';
      await rejecter(value).catch((error: unknown) => {
        caught = error;
      });
      expect(caught === value).toBe(true);
    }
    const calls = toolCalls(audit.trailDir);
    expect(calls).toHaveLength(thrown.length * 2);
    expect(calls.every((call) => call.success === false)).toBe(true);
    expect(audit.stats().lost).toBe(0);
  });

  it('records a thenable that settles twice, and a promise rejected after it resolved, exactly once', async () => {
    const audit = setup();
    const twice = auditTool('twice', () => ({
      // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable is the attack.
      then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
        resolve('first');
        resolve('second');
        reject(new Error('late'));
      },
    }));
    const settled = auditTool('settled', async () => {
      let reject: (e: unknown) => void = () => undefined;
      const promise = new Promise((resolve, rej) => {
        reject = rej;
        resolve('ok');
      });
      reject(new Error('too late'));
      return promise;
    });
    expect(await twice()).toBe('first');
    expect(await settled()).toBe('ok');
    expect(toolCalls(audit.trailDir).map((r) => r.tool)).toEqual(['twice', 'settled']);
  });

  it('records nested audited calls (a tool that calls audited tools recursively)', async () => {
    const audit = setup();
    const fact: (n: number) => Promise<number> = auditTool('fact', async (n: number) =>
      n <= 1 ? 1 : n * (await fact(n - 1)),
    );
    const sum: (n: number) => number = auditTool('sum', (n: number) => (n <= 0 ? 0 : n + sum(n - 1)));
    expect(await fact(6)).toBe(720);
    expect(sum(6)).toBe(21);
    await audit.shutdown();
    expect(toolCalls(audit.trailDir)).toHaveLength(6 + 7);
    const report = await verifyTrail(audit.trailDir, { publicKeys: [keys.publicKeyPem] });
    expect(report.problems).toEqual([]);
  });

  it('records a call although a span processor of the application throws when the span starts', async () => {
    const audit = setup();
    const throwing: SpanProcessor = {
      onStart() {
        throw new Error('buggy processor');
      },
      onEnd() {},
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    };
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const provider = new BasicTracerProvider({ spanProcessors: [audit.spanProcessor, throwing] });
    trace.setGlobalTracerProvider(provider);
    try {
      const lookup = auditTool('lookup', (i: number) => i * 2);
      expect(lookup(21)).toBe(42);
      const calls = toolCalls(audit.trailDir);
      expect(calls.length + audit.stats().lost).toBe(1);
    } finally {
      trace.disable();
      context.disable();
    }
  });
});

describe('the trail at its edges', () => {
  it('keeps and ships every record across segment rolls, oversized records and multi-byte text at 64 KiB', async () => {
    const logs = exporter();
    const audit = setup({
      trail: { dir: tempDir('tooltrail-loss-'), maxFileBytes: 4096 },
      logExporter: logs,
      // A tiny queue: most records are read back from the trail while it rolls.
      logExport: { maxQueue: 2, maxBatch: 3 },
      redaction: { limits: { maxStringLength: 1_000_000 } },
    } as SetupToolAuditOptions);
    const echo = auditTool('echo', (text: string) => text.length);
    const texts: string[] = [];
    // Around the shared encoding buffer's limit (21,845 UTF-16 units), in 1-, 2-, 3- and 4-byte characters.
    for (const unit of ['a', 'é', '€', '😀'])
      for (const units of [21_800, 21_845, 21_846, 22_000])
        texts.push(unit.repeat(Math.ceil(units / unit.length)));
    for (let i = 0; i < 60; i++) texts.push(`small ${i} ${'x'.repeat(i * 37)}`);
    for (const text of texts) expect(echo(text)).toBe(text.length);
    await audit.forceFlush();
    const stored = toolCalls(audit.trailDir);
    expect(stored).toHaveLength(texts.length);
    expect(audit.stats().lost).toBe(0);
    expect(audit.stats().pendingExport).toBe(0);
    const shipped = new Set(logs.lines.map(keyOf));
    for (const record of trailRecords(audit.trailDir))
      expect(shipped.has(`${record.chain}#${record.seq}`)).toBe(true);
    expect(shipped.size).toBe(logs.lines.length);
    await audit.shutdown();
    const report = await verifyTrail(audit.trailDir, { publicKeys: [keys.publicKeyPem] });
    expect(report.problems).toEqual([]);
    expect(report.chains[0]).toMatchObject({ final: true });
  });
});

describe('the trail directory removed under a running agent', () => {
  it('counts every record written to the deleted segment as lost, reports it, and writes on in a new one', async () => {
    const reported: string[] = [];
    const dir = tempDir('tooltrail-loss-');
    const audit = setup({ trail: { dir, fsyncIntervalMillis: 10 } }, reported);
    const lookup = auditTool('lookup', (i: number) => i);
    for (let i = 0; i < 5; i++) lookup(i);
    rmSync(dir, { recursive: true, force: true });
    for (let i = 5; i < 10; i++) expect(lookup(i)).toBe(i);
    // The interval sync notices (no write is needed for that).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(audit.stats().lost).toBe(11); // the genesis checkpoint and 10 calls
    for (let i = 10; i < 15; i++) lookup(i);
    await audit.shutdown();
    // Every sealed record is in the trail or counted as lost; the verifier sees the records missing.
    expect(trailRecords(dir)).toHaveLength(audit.stats().records - audit.stats().lost);
    expect(toolCalls(dir)).toHaveLength(5);
    expect(reported.filter((message) => message.includes('trail segment was deleted'))).toHaveLength(1);
    const report = await verifyTrail(dir, { publicKeys: [keys.publicKeyPem] });
    expect(report.ok).toBe(false);
  });
});

describe('exporters that misbehave, then a restart', () => {
  it('shutdown ends when the exporter never calls back; the records wait in the trail, counted as pending', async () => {
    const silent = {
      export: () => undefined,
      shutdown: async () => undefined,
    } as unknown as LogRecordExporter;
    const shipper = new LogShipper({
      exporter: silent,
      resource: resourceFromAttributes({}),
      errors: new ErrorHandler(() => undefined),
      batchDelayMillis: 1,
      trail: { dir: tempDir('tooltrail-loss-'), chainId: 'c' },
    });
    const record = (seq: number) => ({
      record: { type: 'tool_call', chain: 'c', seq, hash: 'h' },
      line: '{}',
    });
    shipper.enqueue(record(0) as never);
    await new Promise((resolve) => setTimeout(resolve, 50)); // its export is out, and never answered
    shipper.enqueue(record(1) as never);
    const ended = await Promise.race([
      shipper.shutdown(100).then(() => 'ended'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 2_000).unref()),
    ]);
    expect(ended).toBe('ended');
    expect(shipper.pending).toBe(2);
  });

  it.each(['throw', 'fail', 'twice'] as const)(
    'an exporter that %s: every record reaches the next process, exactly once overall',
    async (mode) => {
      const dir = tempDir('tooltrail-loss-');
      const bad = exporter(mode);
      const first = setup({ trail: { dir }, logExporter: bad, logExport: { retryMillis: 5, maxBatch: 4 } });
      const lookup = auditTool('lookup', (i: number) => i);
      for (let i = 0; i < 20; i++) lookup(i);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const before = first.stats();
      // A double callback acknowledges (the first one counts); failures leave everything pending.
      if (mode !== 'twice') expect(before.pendingExport).toBe(before.records);
      // The first process dies without its final checkpoint shipped.
      bad.mode = 'fail';
      crash(first);
      const good = exporter();
      const second = setup({ trail: { dir }, logExporter: good });
      await second.forceFlush();
      const all = [...bad.lines, ...good.lines].map(keyOf);
      expect(new Set(all).size).toBe(all.length);
      const firstChain = trailRecords(dir).filter((r) => r.chain === first.chainId);
      for (const record of firstChain) expect(all).toContain(`${record.chain}#${record.seq}`);
      await second.shutdown();
    },
  );

  it.each([
    ['torn', (text: string) => text.slice(0, 17)],
    ['garbage', () => '\0\0\0{not json'],
    ['seq from the future', (text: string) => text.replace(/"seq":\d+/, '"seq":"999"')],
    ['empty', () => ''],
  ])('a %s .shipped cursor replays from the start without skipping a record', async (_, corrupt) => {
    const dir = tempDir('tooltrail-loss-');
    const first = setup({ trail: { dir }, logExporter: exporter() });
    const lookup = auditTool('lookup', (i: number) => i);
    for (let i = 0; i < 10; i++) lookup(i);
    await first.forceFlush();
    crash(first);
    const cursor = join(dir, `${first.chainId}.shipped`);
    writeFileSync(cursor, corrupt(readFileSync(cursor, 'utf8')));
    const good = exporter();
    const second = setup({ trail: { dir }, logExporter: good });
    await second.forceFlush();
    const replayed = good.lines.map(keyOf).filter((key) => key.startsWith(`${first.chainId}#`));
    const written = trailRecords(dir).filter((r) => r.chain === first.chainId);
    expect(replayed).toEqual(written.map((r) => `${r.chain}#${r.seq}`));
    await second.shutdown();
  });
});
