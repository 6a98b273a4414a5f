// The collector archive the witness cross-check of the verify scenario reads.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes the trail's records as the collector's file exporter archives them: OTLP JSON lines of 512 audit log
 * records each (body = the record line), in `<dir>-archive/archive.jsonl`.
 */
export function writeArchive(dir) {
  const archiveDir = `${dir}-archive`;
  mkdirSync(archiveDir, { mode: 0o700 });
  const file = join(archiveDir, 'archive.jsonl');
  const fd = openSync(file, 'w', 0o600);
  let batch = [];
  const flush = () => {
    if (batch.length === 0) return;
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
          scopeLogs: [
            {
              scope: { name: 'tooltrail.audit' },
              logRecords: batch.map((line) => ({ body: { stringValue: line } })),
            },
          ],
        },
      ],
    };
    writeSync(fd, `${JSON.stringify(request)}\n`);
    batch = [];
  };
  for (const name of readdirSync(dir)
    .filter((entry) => entry.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      batch.push(line);
      if (batch.length === 512) flush();
    }
  }
  flush();
  closeSync(fd);
  return archiveDir;
}
