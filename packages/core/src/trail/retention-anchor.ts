import type { KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointSigningPayload } from '../chain/checkpoint.js';
import { sealRecord } from '../chain/record-hash.js';
import { type LoadedSigningKey, signBytes } from '../keys/signing-key.js';
import { GENESIS_HASH, RECORD_VERSION } from '../record/audit-record.js';
import { type ChainFields, checkSignature } from './record-integrity.js';

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
 * chain (`anchor_seq`, `anchor_prev`). Signed like a checkpoint: Ed25519 over the canonical JSON without
 * `sig` and `hash`.
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

export type RetentionAnchorFields = Pick<
  RetentionAnchor,
  'chain' | 'first_kept_seq' | 'first_kept_prev' | 'deleted' | 'policy' | 'ts'
>;

/** Signs and seals an anchor after `previous` (the chain's last anchor, if any); returns it and its line. */
export function signRetentionAnchor(
  fields: RetentionAnchorFields,
  key: LoadedSigningKey,
  previous?: Pick<RetentionAnchor, 'anchor_seq' | 'hash'>,
): { anchor: RetentionAnchor; line: string } {
  const record: Record<string, unknown> = {
    v: RECORD_VERSION,
    type: 'retention',
    anchor_seq: previous ? previous.anchor_seq + 1 : 0,
    anchor_prev: previous ? previous.hash : GENESIS_HASH,
    ...fields,
    alg: 'ed25519',
    key_id: key.id,
    public_key: key.publicKeyBase64,
  };
  record.sig = signBytes(key.privateKey, checkpointSigningPayload(record));
  const { hash, line } = sealRecord(record);
  return { anchor: { ...record, hash } as unknown as RetentionAnchor, line };
}

/** The anchors file of a chain inside a trail directory. */
export function retentionAnchorsFile(trailDir: string, chain: string): string {
  return join(trailDir, 'retention', `${chain}.anchors.jsonl`);
}

/** Reads `<dir>/retention/*.anchors.jsonl` of every directory among `paths`; unparseable lines are skipped. */
export function readRetentionAnchors(paths: readonly string[]): RetentionAnchor[] {
  const anchors: RetentionAnchor[] = [];
  for (const path of paths) {
    if (typeof path !== 'string' || path.trimStart().startsWith('{')) continue; // a record line, not a path
    const dir = join(path, 'retention');
    if (!existsSync(dir) || !statSync(path).isDirectory()) continue;
    for (const name of readdirSync(dir)
      .filter((file) => file.endsWith('.anchors.jsonl'))
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

/**
 * Whether an anchor accounts for a chain that starts at `first` (seq > 0): same chain and seq, `prev` of the
 * first record equals the anchored hash, and the signature verifies (with the pinned keys when pinned).
 * Returns the key that signed it when it does (raw, base64), else why not and whether the signature failed.
 */
export function retentionAnchorProblem(
  anchor: RetentionAnchor,
  first: ChainFields,
  pinned: KeyObject[] | Map<string, KeyObject> | undefined,
): { signature: boolean; message: string } | { key: string } {
  if (anchor.chain !== first.chain || anchor.first_kept_seq !== first.seq)
    return { signature: false, message: 'retention anchor is for another chain or seq' };
  const checked = checkSignature(anchor as unknown as ChainFields, pinned);
  if (checked.problem !== undefined)
    return { signature: true, message: `retention anchor: ${checked.problem}` };
  if (anchor.first_kept_prev !== first.prev)
    return {
      signature: false,
      message: `retention anchor says the first kept record links to ${anchor.first_kept_prev.slice(0, 12)}…, it links to ${first.prev.slice(0, 12)}…`,
    };
  return { key: checked.key };
}
