/** Every file of a trail is JSON Lines: a directory's trail files are its `*.jsonl` files. */
const TRAIL_FILE_EXTENSION = '.jsonl';
/** `<chain>.<6 digits>.jsonl`: the chain id is everything before the fixed-width suffix. */
const SEGMENT_NAME = /^(.+)\.(\d{6})\.jsonl$/;

/** What a segment file name says: its chain and its number in the chain (0, 1, …). */
export interface SegmentName {
  chain: string;
  segment: number;
}

/** File name of a chain's segment: `<chain>.<segment>.jsonl`, sorted by name = sorted by seq. */
export function segmentFileName(chain: string, segment: number): string {
  return `${chain}.${String(segment).padStart(6, '0')}${TRAIL_FILE_EXTENSION}`;
}

/**
 * The chain and number a segment file name carries, or undefined for any other name: a look-alike
 * (`x.000001.jsonl.bak`, `x.1.jsonl`) or a path (a name from a directory listing never holds a separator).
 */
export function parseSegmentName(name: string): SegmentName | undefined {
  if (name.includes('/') || name.includes('\\')) return undefined;
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  return { chain: match[1] as string, segment: Number(match[2]) };
}

/** Whether a directory entry is read as a trail file (any `*.jsonl`: segments, or trail files copied by hand). */
export function isTrailFileName(name: string): boolean {
  return name.endsWith(TRAIL_FILE_EXTENSION);
}
