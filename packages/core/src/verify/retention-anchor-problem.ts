import type { KeyObject } from 'node:crypto';
import { computeRecordHash } from '../chain/record-hash.js';
import type { RetentionAnchor } from '../trail/retention-anchor.js';
import { type ChainFields, checkSignature } from './record-integrity.js';

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
  // The signature leaves out `hash`: bind it too, or an anchor line could be edited and still vouch.
  if (computeRecordHash(anchor as unknown as Record<string, unknown>) !== anchor.hash)
    return { signature: true, message: 'retention anchor: hash does not match its content' };
  if (anchor.first_kept_prev !== first.prev)
    return {
      signature: false,
      message: `retention anchor says the first kept record links to ${String(anchor.first_kept_prev).slice(0, 12)}…, it links to ${String(first.prev).slice(0, 12)}…`,
    };
  return { key: checked.key };
}
