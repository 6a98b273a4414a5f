import { existsSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  appendRetentionAnchor,
  DEFAULT_RETENTION_CLASSES,
  loadSigningKey,
  type RetentionAnchor,
  readKeyFile,
  readRetentionAnchors,
  retentionAnchorsFile,
  signRetentionAnchor,
} from '@tooltrail/core/internal';
import { verifyTrail } from '@tooltrail/core/verify';
import { parseDateFlag } from '../fhir/dates.js';
import { alignColumns, styleFor } from '../output/style.js';
import { type PlannedSegment, planRetention, type RetentionPlan } from '../retention/plan.js';
import { InputError, UsageError } from '../usage-error.js';

/** Problems about how a chain ends: not a reason to keep its old, signed head. */
const TAIL_KINDS = new Set(['unfinished', 'unprotected']);
/** The plan's reasons that say a segment's bytes are not the chain's (`retention/plan.ts`). */
const ALTERED = /does not match its hash|does not link to|does not continue|not a regular file/;

/** The flags `tooltrail retention` accepts (its usage line names each one). */
export const RETENTION_OPTIONS = {
  now: { type: 'string' },
  source: { type: 'string' },
  class: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  yes: { type: 'boolean', default: false },
} as const;

export const RETENTION_USAGE = `usage: tooltrail retention plan|apply [--now DATE] [--source DIR] [--class NAME=DAYS]... [--json] [--yes]

Which trail segments are past their retention class and may be deleted; apply deletes them under a signed anchor.
  plan               list deletable segments (records, age); deletes nothing
  apply --yes        write a signed retention anchor to <dir>/retention/<chain>.anchors.jsonl, then delete
                     the segments; the rest still verifies (tooltrail verify reads the anchors)
  --now DATE         evaluate at this time (YYYY-MM-DD UTC or RFC 3339; default now)
  --source DIR       trail directory (default $TOOLTRAIL_DIR, else .tooltrail)
  --class NAME=DAYS  override or add a retention class (defaults: ${Object.entries(DEFAULT_RETENTION_CLASSES)
    .map(([name, value]) => `${name} ${value.days}`)
    .join(', ')})
  --json             print the plan (or what was applied) as JSON
A segment is deleted only when every record in it is past its class's retention, every earlier segment of its
chain goes too, and it is not the last segment of its chain. apply signs with TOOLTRAIL_SIGNING_KEY_FILE,
TOOLTRAIL_SIGNING_KEY, else <dir>/keys/signing-key.pem (the key the trail's checkpoints are signed with).
Exit status: 0 done, 1 the trail does not verify (apply refuses), 2 usage or I/O error.`;

/** `tooltrail retention plan|apply`: returns the exit code. */
export async function retentionCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'plan' && action !== 'apply')
    throw new UsageError(`plan or apply is required, got ${JSON.stringify(action ?? '')}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: RETENTION_OPTIONS,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (action === 'plan' && values.yes) throw new UsageError('--yes is for apply');
  if (action === 'apply' && !values.yes)
    throw new UsageError('apply deletes trail segments: pass --yes (run `tooltrail retention plan` first)');
  const now = values.now === undefined ? Date.now() : parseDateFlag('--now', values.now);
  const classes: Record<string, number> = Object.fromEntries(
    Object.entries(DEFAULT_RETENTION_CLASSES).map(([name, value]) => [name, value.days]),
  );
  for (const item of values.class ?? []) {
    const match = /^([A-Za-z0-9_.-]+)=(\d+)$/.exec(item);
    if (!match || Number(match[2]) < 1)
      throw new UsageError(`--class ${JSON.stringify(item)}: expected NAME=DAYS with DAYS >= 1`);
    classes[match[1] as string] = Number(match[2]);
  }
  const dir = values.source ?? process.env.TOOLTRAIL_DIR ?? '.tooltrail';
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError(
      `${dir} is not a trail directory (retention works on the local trail's segment files)`,
    );

  const plan = await planRetention(dir, now, classes);
  if (action === 'plan') {
    if (values.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    else printPlan(plan);
    return 0;
  }
  return apply(dir, plan, values.json === true);
}

function printPlan(plan: RetentionPlan): void {
  const style = styleFor(process.stdout);
  const deletable = plan.chains.flatMap((chain) => chain.segments.filter((segment) => segment.deletable));
  const kept = plan.chains.flatMap((chain) => chain.segments.filter((segment) => !segment.deletable));
  const out: string[] = [
    `retention plan at ${plan.now} (${Object.entries(plan.classes)
      .map(([name, days]) => `${name} ${days}d`)
      .join(', ')})`,
  ];
  if (deletable.length === 0) out.push(style.ok('nothing is past retention: no segment may be deleted'));
  else {
    const records = deletable.reduce((sum, segment) => sum + segment.records, 0);
    out.push(style.warn(`${deletable.length} segment(s), ${records} record(s) may be deleted:`));
    out.push(
      ...alignColumns([['segment', 'records', 'seq', 'newest record', 'age'], ...deletable.map(row)]).map(
        (l) => `  ${l}`,
      ),
    );
  }
  if (kept.length > 0) {
    out.push(style.dim(`${kept.length} segment(s) kept:`));
    out.push(
      ...alignColumns(kept.map((segment) => [...row(segment), segment.why])).map((line) =>
        style.dim(`  ${line}`),
      ),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function row(segment: PlannedSegment): string[] {
  return [
    segment.file,
    String(segment.records),
    `${segment.firstSeq ?? '?'}..${segment.lastSeq ?? '?'}`,
    segment.newestTs ?? '-',
    segment.ageDays === null ? '-' : `${segment.ageDays}d`,
  ];
}

type LoadedSigningKey = ReturnType<typeof loadSigningKey>;

function signingKey(dir: string): LoadedSigningKey {
  const id = process.env.TOOLTRAIL_SIGNING_KEY_ID || undefined;
  const file =
    process.env.TOOLTRAIL_SIGNING_KEY_FILE ||
    (process.env.TOOLTRAIL_SIGNING_KEY ? undefined : join(dir, 'keys/signing-key.pem'));
  let pem = process.env.TOOLTRAIL_SIGNING_KEY;
  if (file) {
    try {
      pem = readKeyFile(file, 'private', 'signing key file');
    } catch (error) {
      throw new InputError(
        `retention apply signs its anchor and needs the trail's signing key: ${(error as Error).message.replace(/^tooltrail: /, '')}; set TOOLTRAIL_SIGNING_KEY_FILE`,
      );
    }
  }
  try {
    return loadSigningKey({ id, privateKey: pem as string });
  } catch (error) {
    throw new InputError((error as Error).message.replace(/^tooltrail: /, ''));
  }
}

async function apply(dir: string, plan: RetentionPlan, json: boolean): Promise<number> {
  const work = plan.chains
    .map(({ chain, segments }) => ({
      chain,
      deleted: segments.filter((segment) => segment.deletable),
      firstKept: segments.find((segment) => !segment.deletable),
    }))
    .filter((item) => item.deleted.length > 0);
  // A segment the plan found altered (a record that does not match its hash or link) is never deleted; its chain is
  // verified anyway, so that the alteration is refused loudly instead of reported as nothing to do.
  const altered = plan.chains
    .filter(({ segments }) => segments.some((segment) => ALTERED.test(segment.reason ?? '')))
    .map(({ chain }) => chain);
  if (work.length === 0 && altered.length === 0) {
    if (json) process.stdout.write(`${JSON.stringify({ now: plan.now, anchors: [] }, null, 2)}\n`);
    else process.stdout.write('nothing is past retention: nothing deleted\n');
    return 0;
  }
  const key = signingKey(dir);
  // Never delete evidence from a chain that does not verify: the damage would become unprovable.
  const report = await verifyTrail(dir, { publicKeys: [key.publicKey] });
  // A chain still being written, or one that crashed, has no final checkpoint and may end in unsigned records:
  // that concerns its kept tail (the last segment is never deleted). Records to be deleted must all be signed.
  const cutTo = new Map(altered.map((chain) => [chain, -1]));
  for (const item of work) cutTo.set(item.chain, item.deleted.at(-1)?.lastSeq ?? -1);
  const problems = report.problems.filter(
    (problem) =>
      problem.chain === null ||
      (cutTo.has(problem.chain) &&
        !(TAIL_KINDS.has(problem.kind) && (problem.seq ?? -1) > (cutTo.get(problem.chain) as number))),
  );
  if (problems.length > 0) {
    process.stderr.write(
      `tooltrail retention: refusing to delete: the trail does not verify with this signing key (${problems.length} problem(s)):\n` +
        problems
          .slice(0, 20)
          .map(
            (problem) =>
              `  ${problem.kind} chain ${problem.chain ?? '-'} seq ${problem.seq ?? '-'}: ${problem.message}\n`,
          )
          .join(''),
    );
    return 1;
  }
  if (work.length === 0) {
    if (json) process.stdout.write(`${JSON.stringify({ now: plan.now, anchors: [] }, null, 2)}\n`);
    else process.stdout.write('nothing is past retention: nothing deleted\n');
    return 0;
  }
  const existing = readRetentionAnchors([dir]);
  const written: RetentionAnchor[] = [];
  for (const { chain, deleted, firstKept } of work) {
    const last = deleted[deleted.length - 1] as PlannedSegment;
    if (
      !firstKept ||
      firstKept.firstPrev === null ||
      firstKept.firstSeq !== (last.lastSeq ?? -2) + 1 ||
      firstKept.firstPrev !== last.lastHash
    ) {
      process.stderr.write(
        `tooltrail retention: refusing to cut chain ${chain}: ${firstKept?.file ?? 'the kept segment'} does not continue ${last.file}\n`,
      );
      return 1;
    }
    const previous = existing
      .filter((anchor) => anchor.chain === chain)
      .sort((a, b) => a.anchor_seq - b.anchor_seq)
      .pop();
    const { anchor, line } = signRetentionAnchor(
      {
        chain,
        first_kept_seq: firstKept.firstSeq,
        first_kept_prev: firstKept.firstPrev as string,
        deleted: deleted.map((segment) => ({
          file: segment.file,
          records: segment.records,
          first_seq: segment.firstSeq as number,
          last_seq: segment.lastSeq as number,
          last_ts: segment.newestTs,
        })),
        policy: { classes: plan.classes, now: plan.now },
        ts: new Date().toISOString(),
      },
      key,
      previous,
    );
    // The anchor is durable before anything is deleted: a crash in between leaves extra records, never a hole.
    appendAnchor(dir, chain, line);
    for (const segment of deleted) unlinkSync(join(dir, segment.file));
    written.push(anchor);
  }
  if (json) process.stdout.write(`${JSON.stringify({ now: plan.now, anchors: written }, null, 2)}\n`);
  else {
    for (const anchor of written) {
      const records = anchor.deleted.reduce((sum, segment) => sum + segment.records, 0);
      process.stdout.write(
        `chain ${anchor.chain}: deleted ${anchor.deleted.length} segment(s), ${records} record(s) (seq ${anchor.deleted[0]?.first_seq ?? '?'}..${anchor.first_kept_seq - 1}); ` +
          `signed anchor ${anchor.key_id} in ${retentionAnchorsFile(dir, anchor.chain)}\n`,
      );
    }
  }
  return 0;
}

/** Appends the anchor durably; a link planted at the anchors file's name is refused, never written through. */
function appendAnchor(dir: string, chain: string, line: string): void {
  try {
    appendRetentionAnchor(dir, chain, line);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    const file = retentionAnchorsFile(dir, chain);
    throw new InputError(`refusing to write the retention anchor: ${file} is a symbolic link`);
  }
}
