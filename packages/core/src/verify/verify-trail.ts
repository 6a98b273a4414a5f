import { type TrailSource, trailPaths } from '../trail/read-trail-lines.js';
import { readRetentionAnchors } from '../trail/retention-anchor.js';
import { readWitness, trailFileIds } from './read-witness.js';
import { TrailVerification } from './trail-verification.js';
import type { VerifyProblem, VerifyReport, VerifyTrailOptions } from './verify-types.js';

/**
 * Verifies a trail, streaming with memory bounded by the number of chains: recomputes every hash, checks every
 * link and seq, checks checkpoint signatures, and reports every problem with its kind, chain and seq.
 */
export async function verifyTrail(
  source: TrailSource,
  options: VerifyTrailOptions = {},
): Promise<VerifyReport> {
  const paths = trailPaths(source);
  const anchors = options.anchors ?? readRetentionAnchors(paths ?? []);
  // What the witness could not read may have held a chain deleted from the trail: a problem, as in a source.
  const witnessUnread: VerifyProblem[] = [];
  const onUnread = (reason: string, file: string, line?: number) =>
    witnessUnread.push({
      kind: 'malformed',
      chain: null,
      seq: null,
      message: `witness: ${reason}`,
      file,
      ...(line === undefined ? {} : { line }),
    });
  const witness =
    options.witness === undefined
      ? undefined
      : await readWitness(options.witness, { onUnread, trailFiles: trailFileIds(paths ?? []) });
  try {
    const verification = new TrailVerification({ ...options, anchors, witnessIndex: witness, witnessUnread });
    if (paths) for (const path of paths) await verification.addPath(path);
    else {
      // Items are record lines only (log bodies from Loki, say): one that is not a record is malformed, never a path.
      let index = 0;
      for await (const item of source as AsyncIterable<string>)
        verification.addText(item, undefined, ++index);
    }
    return verification.finish();
  } finally {
    witness?.close();
  }
}
