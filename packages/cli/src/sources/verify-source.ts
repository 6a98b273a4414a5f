import { type VerifyProblem, type VerifyReport, verifyTrail } from '@tooltrail/core/verify';
import { InputError } from '../usage-error.js';
import type { OnMalformed, RecordSource } from './record-source.js';

export interface VerifySourceOptions {
  /** PEM or raw base64 public keys to pin. */
  publicKeys?: string[];
  onMalformed?: OnMalformed;
  onProgress?: (records: number) => void;
  /** Sort each chain by seq even for a source read in stored order (a trail exported by time). */
  unordered?: boolean;
  /** Another copy of the records to compare with (collector archive, Loki, another trail). */
  witness?: RecordSource;
  /** Chains whose newest checkpoint is younger than this may still be being written. */
  liveMillis?: number;
}

/**
 * Runs core's streaming verifier over a source. Undefined when the source holds no hashed records (Tempo).
 * Unreadable files and unusable keys become `InputError`s (exit 2).
 */
export async function verifyRecordSource(
  source: RecordSource,
  options: VerifySourceOptions = {},
): Promise<VerifyReport | undefined> {
  // Lines the source itself cannot read (a broken OTLP line may have held records) count as problems.
  const unreadable: VerifyProblem[] = [];
  const input = source.verifiable((where, reason) => {
    options.onMalformed?.(where, reason);
    unreadable.push({ kind: 'malformed', chain: null, seq: null, message: reason, file: where });
  });
  if (!input) return undefined;
  // So do the witness's: a file or line it could not read may have held a chain deleted from the trail since.
  const witness = options.witness?.verifiable((where, reason) => {
    options.onMalformed?.(where, `witness: ${reason}`);
    unreadable.push({
      kind: 'malformed',
      chain: null,
      seq: null,
      message: `witness: ${reason}`,
      file: where,
    });
  });
  if (options.witness && !witness)
    throw new InputError(
      `${options.witness.label} holds spans, not the hashed audit records: it cannot be a witness; use the collector archive or Loki`,
    );
  try {
    const report = await verifyTrail(input.input, {
      publicKeys: options.publicKeys && options.publicKeys.length > 0 ? options.publicKeys : undefined,
      ordered: input.ordered && !options.unordered,
      onProgress: options.onProgress,
      witness: witness?.input,
      liveMillis: options.liveMillis,
    });
    if (unreadable.length === 0) return report;
    return { ...report, ok: false, verdict: 'problems', problems: [...unreadable, ...report.problems] };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR')
      throw new InputError((error as Error).message);
    if (/public key|Ed25519|asymmetric/i.test((error as Error).message))
      throw new InputError((error as Error).message);
    throw error;
  }
}
