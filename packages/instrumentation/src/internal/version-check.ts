import semver from 'semver';
import type { FoundPackage } from '../types.js';

/** True when `found` is in `range`; otherwise logs one line saying the instrumentation stays off for it. */
export function inSupportedRange(
  found: FoundPackage,
  range: string,
  log: (message: string) => void,
): boolean {
  if (semver.satisfies(found.version, range, { includePrerelease: true })) return true;
  log(
    `tooltrail: ${found.name}@${found.version} is outside the supported range ${range}; ` +
      'its tool calls are not instrumented (wrap them with auditTool instead)',
  );
  return false;
}
