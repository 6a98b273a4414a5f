import { InputError } from '../usage-error.js';
import { ArchiveSource, looksLikeArchive } from './archive-source.js';
import { printableSource } from './http-json.js';
import { LocalTrailSource } from './local-trail-source.js';
import { LokiSource } from './loki-source.js';
import type { RecordSource } from './record-source.js';
import { TempoSource } from './tempo-source.js';

/** The default source: `$TOOLTRAIL_SOURCE`, else `$TOOLTRAIL_DIR`, else `.tooltrail`. */
export function defaultSourceSpecs(): string[] {
  return [process.env.TOOLTRAIL_SOURCE || process.env.TOOLTRAIL_DIR || '.tooltrail'];
}

/**
 * Opens `--source` values: `loki+http(s)://…`, `tempo+http(s)://…`, `archive:<path>`, or paths (trail
 * directories or files; a path whose content is OTLP JSON is read as a collector archive). Several paths are
 * read as one trail; a server or archive stands alone.
 */
export function openSource(specs: string[]): RecordSource {
  const list = specs.length > 0 ? specs : defaultSourceSpecs();
  const single = (spec: string): RecordSource | undefined => {
    if (/^loki\+https?:\/\//.test(spec)) return new LokiSource(spec);
    if (/^tempo\+https?:\/\//.test(spec)) return new TempoSource(spec);
    if (spec.startsWith('archive:')) return new ArchiveSource(spec.slice('archive:'.length));
    if (/^[a-z][a-z0-9+]*:\/\//i.test(spec))
      throw new InputError(
        `unknown source ${JSON.stringify(printableSource(spec))}: use a path, archive:<path>, loki+http://host:3100 or tempo+http://host:3200`,
      );
    return undefined;
  };
  const opened = list.map((spec) => single(spec));
  if (opened.some(Boolean)) {
    if (list.length > 1) throw new InputError('a Loki, Tempo or archive source must be the only source');
    return opened[0] as RecordSource;
  }
  const local = new LocalTrailSource(list);
  if (list.length === 1 && looksLikeArchive(list[0] as string)) return new ArchiveSource(list[0] as string);
  return local;
}
