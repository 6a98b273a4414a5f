/**
 * The verifier's worker thread (built as its own file next to the package's entry points): scans and hashes runs
 * of whole lines (`scanLines`) and sends back what it found, and the bytes, to the verifying thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useScanModule } from './scan-line-wasm.js';
import { scanLines } from './scan-lines.js';

/** A run of whole lines to scan: `buffer[0, length)`. */
export interface ScanJob {
  buffer: ArrayBuffer;
  length: number;
  maxLineBytes: number;
  /** The `fields` of an earlier run, to fill again (fewer buffers for the garbage collector). */
  fields?: ArrayBuffer;
}

useScanModule((workerData as { scanModule?: object } | null)?.scanModule);

parentPort?.on('message', (job: ScanJob) => {
  const reuse = job.fields ? new Float64Array(job.fields) : undefined;
  const result = scanLines(Buffer.from(job.buffer, 0, job.length), job.maxLineBytes, reuse);
  parentPort?.postMessage({ ...result, buffer: job.buffer }, [
    job.buffer,
    result.fields.buffer as ArrayBuffer,
  ]);
});
