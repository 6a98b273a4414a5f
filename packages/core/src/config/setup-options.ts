import type { ErrorHandler } from '../internal/error-handler.js';
import type { Redactor } from '../redaction/redactor.js';
import type { FsyncPolicy } from '../types.js';

/** A boolean env var: `true`/`1`/`yes` (any case) is on. */
export function envFlag(name: string): boolean {
  return /^(true|1|yes)$/i.test(process.env[name]?.trim() ?? '');
}

/** Option → `TOOLTRAIL_FSYNC` → `interval`; a bad value is corrected with a warning. */
export function fsyncPolicy(option: FsyncPolicy | undefined, errors: ErrorHandler): FsyncPolicy {
  const value = option ?? process.env.TOOLTRAIL_FSYNC ?? 'interval';
  if (value === 'always' || value === 'interval' || value === 'never') return value;
  errors.report(
    'bad_option',
    `fsync policy ${JSON.stringify(value)} is not always|interval|never; using interval`,
  );
  return 'interval';
}

/** Option → env var → default; a bad value is corrected with a warning (as OTel's BatchSpanProcessor does). */
export function positive(
  option: number | undefined,
  envName: string,
  fallback: number,
  errors: ErrorHandler,
): number {
  const raw = option ?? (process.env[envName] ? Number(process.env[envName]) : undefined);
  if (raw === undefined) return fallback;
  if (Number.isFinite(raw) && raw > 0) return Math.floor(raw);
  errors.report('bad_option', `${envName}=${raw} is not a positive number; using ${fallback}`);
  return fallback;
}

/** Option → env var; without a pseudonym key every subject would be masked, so that is a setup error. */
export function subjectPseudonyms(option: boolean | undefined, redactor: Redactor): boolean {
  const enabled = option ?? envFlag('TOOLTRAIL_SUBJECT_PSEUDONYMS');
  if (enabled && !redactor.pseudonymsEnabled) {
    throw new Error(
      'tooltrail: subjectPseudonyms (TOOLTRAIL_SUBJECT_PSEUDONYMS) needs a pseudonym key: set pseudonymKey or ' +
        'TOOLTRAIL_PSEUDONYM_KEY / TOOLTRAIL_PSEUDONYM_KEY_FILE',
    );
  }
  return enabled;
}

/** `patient_id=patient,customer_id=customer` → `{ patient_id: 'patient', customer_id: 'customer' }`. */
export function subjectKeysFromEnv(value: string | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  const keys: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const [key, kind] = pair.split('=').map((part) => part.trim());
    if (!key || !kind)
      throw new Error(
        `tooltrail: TOOLTRAIL_SUBJECT_KEYS entry ${JSON.stringify(pair)} must look like key=kind`,
      );
    keys[key] = kind;
  }
  return keys;
}
