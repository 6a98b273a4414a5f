import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { NO_FOLLOW, openRegularFile, refusedFile } from '../keys/strict-modes.js';

/** Anchors live beside the segments, in `<trail dir>/retention/<chain>.anchors.jsonl`. */
const ANCHORS_DIR = 'retention';
const ANCHORS_SUFFIX = '.anchors.jsonl';
const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW;

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

/**
 * Appends a signed anchor's line to its chain's anchors file and syncs it before returning, so the anchor is
 * durable before any segment goes. `retention/` (0700) and the file (0600) are created if missing; the file is
 * never opened through a symbolic link (that fails with `ELOOP`). Returns the file's path.
 */
export function appendRetentionAnchor(trailDir: string, chain: string, line: string): string {
  const file = retentionAnchorsFile(trailDir, chain);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, APPEND_NO_FOLLOW, 0o600);
  try {
    writeSync(fd, `${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Reads `<dir>/retention/*.anchors.jsonl` of every directory among `paths`; unparseable lines are skipped. */
export function readRetentionAnchors(paths: readonly string[]): RetentionAnchor[] {
  const anchors: RetentionAnchor[] = [];
  for (const path of paths) {
    if (typeof path !== 'string' || path.trimStart().startsWith('{')) continue; // a record line, not a path
    const dir = join(path, ANCHORS_DIR);
    if (!existsSync(dir) || !statSync(path).isDirectory() || !statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir)
      .filter((file) => file.endsWith(ANCHORS_SUFFIX))
      .sort()) {
      const content = readAnchorsFile(join(dir, name));
      if (content === undefined) continue;
      for (const text of content.split('\n')) {
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

/**
 * An anchors file's text, or undefined when what stands at its name is a symbolic link or no regular file: the
 * directory is the attacker's to write, and a FIFO would block this (synchronous) read for ever, a link to
 * `/dev/zero` read until memory runs out. Passing it over costs nothing: an anchor only ever excuses a cut.
 */
function readAnchorsFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openRegularFile(file, constants.O_RDONLY, 'retention anchors file').fd;
  } catch (error) {
    if (refusedFile(error)) return undefined;
    throw error;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
