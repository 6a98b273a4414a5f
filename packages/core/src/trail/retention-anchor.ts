import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Anchors live beside the segments, in `<trail dir>/retention/<chain>.anchors.jsonl`. */
const ANCHORS_DIR = 'retention';
const ANCHORS_SUFFIX = '.anchors.jsonl';

/** A segment removed by retention. */
export interface DeletedSegment {
  file: string;
  records: number;
  first_seq: number;
  last_seq: number;
  last_ts: string | null;
}

/**
 * A signed statement that the head of a chain (seq `0..first_kept_seq - 1`) was deleted by retention.
 * Stored in `<trail dir>/retention/<chain>.anchors.jsonl`; the anchors of one chain form their own small hash
 * chain (`anchor_seq`, `anchor_prev`). Signed like a checkpoint (`chain/retention-anchor-signature.ts`).
 */
export interface RetentionAnchor {
  v: number;
  type: 'retention';
  chain: string;
  anchor_seq: number;
  anchor_prev: string;
  first_kept_seq: number;
  /** `prev` of the first kept record = hash of the last deleted record. */
  first_kept_prev: string;
  deleted: DeletedSegment[];
  policy: { classes: Record<string, number>; now: string };
  ts: string;
  alg: 'ed25519';
  key_id: string;
  public_key: string;
  sig: string;
  hash: string;
}

/** What the retention command states in an anchor; the signature adds the rest. */
export type RetentionAnchorFields = Pick<
  RetentionAnchor,
  'chain' | 'first_kept_seq' | 'first_kept_prev' | 'deleted' | 'policy' | 'ts'
>;

/** The anchors file of a chain inside a trail directory. */
export function retentionAnchorsFile(trailDir: string, chain: string): string {
  return join(trailDir, ANCHORS_DIR, `${chain}${ANCHORS_SUFFIX}`);
}

/** Reads `<dir>/retention/*.anchors.jsonl` of every directory among `paths`; unparseable lines are skipped. */
export function readRetentionAnchors(paths: readonly string[]): RetentionAnchor[] {
  const anchors: RetentionAnchor[] = [];
  for (const path of paths) {
    if (typeof path !== 'string' || path.trimStart().startsWith('{')) continue; // a record line, not a path
    const dir = join(path, ANCHORS_DIR);
    if (!existsSync(dir) || !statSync(path).isDirectory()) continue;
    for (const name of readdirSync(dir)
      .filter((file) => file.endsWith(ANCHORS_SUFFIX))
      .sort()) {
      for (const text of readFileSync(join(dir, name), 'utf8').split('\n')) {
        if (!text.trim()) continue;
        try {
          const value = JSON.parse(text) as RetentionAnchor;
          if (value && value.type === 'retention' && typeof value.chain === 'string') anchors.push(value);
        } catch {
          // A damaged anchor line cannot vouch for anything: the chain then reports `truncated`.
        }
      }
    }
  }
  return anchors;
}
