import { constants, createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { computeRecordHash, listSegments, openRegularFile, refusedFile } from '@tooltrail/core/internal';

const DAY_MS = 86_400_000;

export interface SegmentInfo {
  chain: string;
  file: string;
  segment: number;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** seq and prev of the first record, hash of the last: to anchor the cut. */
  firstPrev: string | null;
  lastHash: string | null;
  oldestTs: string | null;
  newestTs: string | null;
  /** When every record of the segment is past its class's retention (ISO), or null if never (see `reason`). */
  expiresAt: string | null;
  reason?: string;
}

export interface PlannedSegment extends SegmentInfo {
  deletable: boolean;
  /** Days since the newest record. */
  ageDays: number | null;
  why: string;
}

export interface RetentionPlan {
  now: string;
  classes: Record<string, number>;
  chains: Array<{ chain: string; segments: PlannedSegment[] }>;
}

/** The segment files of a trail directory, grouped by chain, in segment order. */
function segmentsByChain(dir: string): Map<string, Array<{ file: string; segment: number }>> {
  const chains = new Map<string, Array<{ file: string; segment: number }>>();
  for (const { name, chain, segment } of listSegments(dir)) {
    const list = chains.get(chain) ?? [];
    list.push({ file: name, segment });
    chains.set(chain, list);
  }
  return chains;
}

/** Reads one segment: counts, seq range, and when its last record leaves retention. */
export async function inspectSegment(
  dir: string,
  chain: string,
  file: string,
  segment: number,
  classes: Record<string, number>,
): Promise<SegmentInfo> {
  const info: SegmentInfo = {
    chain,
    file,
    segment,
    records: 0,
    firstSeq: null,
    lastSeq: null,
    firstPrev: null,
    lastHash: null,
    oldestTs: null,
    newestTs: null,
    expiresAt: null,
  };
  let expires = Number.NEGATIVE_INFINITY;
  // The plan decides what a signed anchor will vouch for, and reads the segment apart from the verification: it
  // opens no link and no FIFO (which would hand it bytes the verification never sees), and below takes a record only
  // when it matches its hash and links to the one before — bytes that hash to the verified hashes are the verified
  // records, and any others make the segment not deletable.
  let fd: number;
  try {
    fd = openRegularFile(join(dir, file), constants.O_RDONLY, 'trail segment').fd;
  } catch (error) {
    if (refusedFile(error)) return { ...info, reason: 'not a regular file (a link or a FIFO): not read' };
    throw error;
  }
  const lines = createInterface({ input: createReadStream('', { fd }), crlfDelay: Infinity });
  let number = 0;
  let previousHash: string | null = null;
  for await (const text of lines) {
    number++;
    if (text.trim() === '') continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      info.reason ??= `line ${number} is not JSON`;
      continue;
    }
    info.records++;
    if (record.chain !== chain || !Number.isSafeInteger(record.seq)) {
      info.reason ??= `line ${number} is not a record of chain ${chain}`;
      continue;
    }
    const seq = record.seq as number;
    if (!matchesHash(record)) info.reason ??= `seq ${seq} does not match its hash`;
    else if (previousHash !== null && (record.prev !== previousHash || seq !== (info.lastSeq as number) + 1))
      info.reason ??= `seq ${seq} does not link to the record before it`;
    previousHash = typeof record.hash === 'string' ? record.hash : '';
    if (info.firstSeq === null) {
      info.firstSeq = seq;
      info.firstPrev = typeof record.prev === 'string' ? record.prev : null;
    }
    info.lastSeq = seq;
    info.lastHash = typeof record.hash === 'string' ? record.hash : null;
    const ts = typeof record.ts === 'string' ? record.ts : '';
    const at = Date.parse(ts);
    if (!Number.isFinite(at)) {
      info.reason ??= `seq ${seq} has no valid ts`;
      continue;
    }
    if (info.oldestTs === null || ts < info.oldestTs) info.oldestTs = ts;
    if (info.newestTs === null || ts > info.newestTs) info.newestTs = ts;
    // Checkpoints and other records without a class carry no personal data: the records around them decide.
    if (record.retention === undefined || record.retention === null) continue;
    const days = classes[String(record.retention)];
    if (days === undefined) {
      info.reason ??= `seq ${seq} has retention class ${JSON.stringify(record.retention)}, which has no period`;
      continue;
    }
    expires = Math.max(expires, at + days * DAY_MS);
  }
  if (info.records === 0) info.reason ??= 'empty segment';
  if (!info.reason)
    info.expiresAt = Number.isFinite(expires) ? new Date(expires).toISOString() : info.newestTs;
  return info;
}

/**
 * Which segments may be deleted at `now`: a prefix of each chain's segments (a cut inside the chain would be a
 * gap no anchor can vouch for), every record past its class's retention, never the chain's last segment.
 */
export async function planRetention(
  dir: string,
  now: number,
  classes: Record<string, number>,
): Promise<RetentionPlan> {
  const chains: RetentionPlan['chains'] = [];
  for (const [chain, files] of [...segmentsByChain(dir)].sort(([a], [b]) => a.localeCompare(b))) {
    const segments: PlannedSegment[] = [];
    let prefix = true;
    for (const [index, { file, segment }] of files.entries()) {
      const info = await inspectSegment(dir, chain, file, segment, classes);
      // The deleted segments must be one stretch of the chain, each linked to the one before.
      const before = segments.at(-1);
      if (before && (info.firstSeq !== (before.lastSeq ?? -2) + 1 || info.firstPrev !== before.lastHash))
        info.reason ??= `does not continue ${before.file}`;
      const newest = info.newestTs ? Date.parse(info.newestTs) : Number.NaN;
      const ageDays = Number.isFinite(newest) ? Math.floor((now - newest) / DAY_MS) : null;
      let why: string;
      let deletable = false;
      if (index === files.length - 1) why = 'last segment of its chain';
      else if (info.reason) why = info.reason;
      else if (!prefix) why = 'an earlier segment is kept';
      else if (info.expiresAt !== null && Date.parse(info.expiresAt) < now) {
        deletable = true;
        why = `all records past retention (since ${info.expiresAt.slice(0, 10)})`;
      } else why = `retained until ${info.expiresAt?.slice(0, 10) ?? '?'}`;
      if (!deletable) prefix = false;
      segments.push({ ...info, deletable, ageDays, why });
    }
    chains.push({ chain, segments });
  }
  return { now: new Date(now).toISOString(), classes, chains };
}

/** Whether a parsed record's `hash` is the hash of its content (one that cannot be hashed does not match). */
function matchesHash(record: Record<string, unknown>): boolean {
  try {
    return computeRecordHash(record) === record.hash;
  } catch {
    return false;
  }
}
