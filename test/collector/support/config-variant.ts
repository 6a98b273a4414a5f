import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { collectorConfig } from './collector.js';

/** The parts of otelcol.yaml that tests change. */
export interface CollectorConfig {
  processors: Record<string, unknown>;
  exporters: Record<string, Record<string, Record<string, unknown>>>;
  service: { pipelines: Record<string, { processors: string[] }> };
}

/** Writes a modified copy of otelcol.yaml (for tests that show what the real config prevents). */
export function configVariant(name: string, change: (config: CollectorConfig) => void): string {
  const config = parse(readFileSync(collectorConfig, 'utf8')) as CollectorConfig;
  change(config);
  const path = join(mkdtempSync(join(tmpdir(), 'tooltrail-config-')), `${name}.yaml`);
  writeFileSync(path, stringify(config));
  return path;
}
