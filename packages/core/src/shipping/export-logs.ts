import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ErrorHandler } from '../internal/error-handler.js';

/** One export call: resolves true when the exporter acknowledged the batch; a failure or a throw is reported. */
export function exportLogs(
  exporter: LogRecordExporter,
  logs: ReadableLogRecord[],
  errors: ErrorHandler,
): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      exporter.export(logs, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          errors.report('ship_failed', 'audit log export failed; will retry', result.error);
        }
        resolve(result.code === ExportResultCode.SUCCESS);
      });
    } catch (error) {
      errors.report('ship_failed', 'audit log export threw; will retry', error);
      resolve(false);
    }
  });
}
