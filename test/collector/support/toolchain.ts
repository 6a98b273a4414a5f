import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/** CI runs `.ci/run` with CI=true: there a missing toolchain fails the suite instead of skipping it. */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** Absolute path of an executable on PATH (plus /usr/local/go/bin, where Go lives on these machines). */
export function which(command: string): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/go/bin'];
  for (const directory of directories) {
    const candidate = join(directory, command);
    if (directory && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * `describe` that needs external tools. Without them it skips with a visible message on a laptop, and under
 * CI registers one failing test naming what is missing.
 */
export function describeWithTools(title: string, commands: string[], body: () => void): void {
  const missing = commands.filter((command) => which(command) === undefined);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const message = `${title}: needs ${missing.join(', ')} on PATH (scripts/ci-setup/20-collector-stack.sh installs them)`;
  if (isCI) {
    describe(title, () => {
      it('has its toolchain', () => {
        throw new Error(message);
      });
    });
    return;
  }
  console.warn(`SKIPPED ${message}`);
  describe.skip(title, body);
}
