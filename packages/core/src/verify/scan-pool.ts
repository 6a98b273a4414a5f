import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { scanModule } from './scan-line-wasm.js';
import { scanLines } from './scan-lines.js';
import type { ScannedLines } from './scanned-lines.js';
import type { ScanJob } from './verify-worker.js';

/** What a scan found, with the scanned bytes (handed back by the worker). */
export interface ScanResult extends ScannedLines {
  buffer: ArrayBuffer;
}

/** Worker threads at most: past this the verifying thread, which checks the chain in order, is the limit. */
const MAX_THREADS = 4;

/**
 * Workers by default: one per CPU, at most 4. With a witness index held, one fewer (at least one): each worker is
 * a V8 isolate of its own (≈ 10 MB resident with its WebAssembly memory), and on top of the index and what reading
 * the witness left allocated that kept the run above 100 MB on 2 CPUs; reading the witness dominates that run's
 * time, so the worker fewer did not lengthen it measurably there.
 */
export function defaultScanThreads(cpus: number, witness: boolean): number {
  const threads = Math.min(Number.isFinite(cpus) && cpus >= 1 ? Math.floor(cpus) : 1, MAX_THREADS);
  return witness ? Math.max(1, threads - 1) : threads;
}
/** Young generation of a worker: it allocates little, and a small one keeps its resident memory small. */
const WORKER_YOUNG_MB = 1;

interface Slot {
  worker: Worker;
  waiting: Array<{ resolve: (result: ScanResult) => void; reject: (error: Error) => void }>;
}

/**
 * Scans runs of trail lines (`scanLines`) on worker threads, round robin; each worker answers in order. With no
 * threads (or where the built worker file is absent, as when running from source) it scans on the calling thread.
 */
export class ScanPool {
  private readonly _slots: Slot[] = [];
  private _next = 0;
  private _failure: Error | undefined;
  /** Buffers and `fields` arrays of runs already handled, for the next runs (reused across files). */
  private readonly _spareBuffers: ArrayBuffer[] = [];
  private readonly _spareFields: Float64Array[] = [];

  private constructor(file: string | undefined, threads: number) {
    if (!file) return;
    for (let i = 0; i < threads; i++) {
      const slot: Slot = {
        worker: new Worker(file, {
          resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
          // The scanner's module, compiled once here rather than in every worker.
          workerData: { scanModule: scanModule() },
        }),
        waiting: [],
      };
      slot.worker.on('message', (result: ScanResult) => slot.waiting.shift()?.resolve(result));
      slot.worker.on('error', (error: Error) => this._fail(slot, error));
      slot.worker.on('exit', (code) => {
        if (slot.waiting.length > 0) this._fail(slot, new Error(`tooltrail: verify worker exited (${code})`));
      });
      this._slots.push(slot);
    }
  }

  /** A pool of `threads` workers (default: {@link defaultScanThreads}); 0 scans on the calling thread. */
  static open(threads?: number, options: { witness?: boolean } = {}): ScanPool {
    const count = threads ?? defaultScanThreads(availableParallelism(), options.witness === true);
    if (!Number.isSafeInteger(count) || count < 0)
      throw new Error(`tooltrail: workers must be a non-negative integer, got ${String(threads)}`);
    return new ScanPool(count > 0 ? workerFile() : undefined, count);
  }

  /** Worker threads running (0: scanning on the calling thread). */
  get threads(): number {
    return this._slots.length;
  }

  /**
   * Scans `buffer[0, length)`, whole lines; the buffer (and a recycled `fields` array to fill again) is moved to
   * the worker and comes back in the result.
   */
  scan(buffer: ArrayBuffer, length: number, maxLineBytes: number): Promise<ScanResult> {
    const fields = this._spareFields.pop();
    if (this._failure) return Promise.reject(this._failure);
    if (this._slots.length === 0)
      return Promise.resolve({ ...scanLines(Buffer.from(buffer, 0, length), maxLineBytes, fields), buffer });
    const slot = this._slots[this._next] as Slot;
    this._next = (this._next + 1) % this._slots.length;
    return new Promise<ScanResult>((resolve, reject) => {
      slot.waiting.push({ resolve, reject });
      const reuse = fields?.buffer as ArrayBuffer | undefined;
      const job: ScanJob = { buffer, length, maxLineBytes, fields: reuse };
      slot.worker.postMessage(job, reuse ? [buffer, reuse] : [buffer]);
    });
  }

  /** A buffer of a run already handled, if any. */
  spareBuffer(): ArrayBuffer | undefined {
    return this._spareBuffers.pop();
  }

  /** Gives back a handled run's buffer and `fields` for later runs (at most a few are kept). */
  recycle(run: { buffer: ArrayBuffer; fields?: Float64Array }): void {
    if (this._spareBuffers.length < 4) this._spareBuffers.push(run.buffer);
    if (run.fields && this._spareFields.length < 4) this._spareFields.push(run.fields);
  }

  async close(): Promise<void> {
    const slots = this._slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private _fail(slot: Slot, error: Error): void {
    this._failure ??= error;
    for (const waiting of slot.waiting.splice(0)) waiting.reject(error);
  }
}

/** The built worker file beside this module (`.cjs` from the CommonJS build), or undefined when absent. */
function workerFile(): string | undefined {
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const file = join(dirname(here), here.endsWith('.cjs') ? 'verify-worker.cjs' : 'verify-worker.js');
  return existsSync(file) ? file : undefined;
}
