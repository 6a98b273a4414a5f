import { diag } from '@opentelemetry/api';

const seen = new Set<string>();

/** Default log: one diag warning and one process warning per distinct message, for the whole process. */
export function logOnce(message: string): void {
  if (seen.has(message)) return;
  seen.add(message);
  diag.warn(message);
  process.emitWarning(message, 'TooltrailWarning');
}
