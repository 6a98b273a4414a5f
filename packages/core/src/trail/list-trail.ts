import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isTrailFileName, parseSegmentName, type SegmentName } from './segment-name.js';

/** A segment file found in a trail directory: its name, chain and number. */
export interface SegmentFile extends SegmentName {
  name: string;
}

/**
 * The segment files of a trail directory, sorted by name (a chain's segments in order). Names only: nothing is
 * opened or stat'ed, so a link at a segment's name is listed but not followed (its readers open without
 * following), and the listing never descends into subdirectories. Throws when the directory cannot be read.
 */
export function listSegments(dir: string): SegmentFile[] {
  const segments: SegmentFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const parsed = parseSegmentName(name);
    if (parsed) segments.push({ name, ...parsed });
  }
  return segments;
}

/** Segment file names of a chain in a trail directory, in order; none when the directory cannot be read. */
export function chainSegments(dir: string, chain: string): SegmentFile[] {
  try {
    return listSegments(dir).filter((segment) => segment.chain === chain);
  } catch {
    return [];
  }
}

/** Chain ids that have segment files in a trail directory, oldest first (chain ids sort by start time). */
export function trailChains(dir: string): string[] {
  try {
    return [...new Set(listSegments(dir).map((segment) => segment.chain))].sort();
  } catch {
    return [];
  }
}

/** The trail files under a path: itself if a file, else its `*.jsonl` files sorted by name (not recursive). */
export function listTrailFiles(path: string): string[] {
  const stats = statSync(path);
  if (!stats.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => isTrailFileName(name))
    .sort()
    .map((name) => join(path, name));
}
