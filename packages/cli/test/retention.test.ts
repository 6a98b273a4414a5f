import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { auditTool, setupToolAudit, verifyTrail } from '@tooltrail/core';
import { loadSigningKey } from '@tooltrail/core/internal';
import { describe, expect, it } from 'vitest';
import { appendCheckpoint } from '../../core/src/chain/checkpoint.js';
import { HashChain } from '../../core/src/chain/hash-chain.js';
import { type OldCall, writeKeys, writeOldTrail } from './support/old-trail.js';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'packages/cli/dist/bin.js');
const A = '20240101T000000Z-aaaaaaaa';
const B = '20240101T000000Z-bbbbbbbb';
const C = '20240101T000000Z-cccccccc';
/** The fields of an ordinary old call, as the SDK writes them. */
const CALL_FIELDS = {
  trace_id: null,
  span_id: null,
  tool: 'lookup_order',
  call_id: null,
  args: { order_id: 'ORD-C' },
  result: { success: true, size: 10, truncated: false },
  success: true,
  error: null,
  duration_ms: 1,
  user: 'u1',
  role: 'clerk',
  conversation: 'conv_old',
  turn: 1,
  model: null,
  trigger: 'user_request',
  purpose: null,
  subject: null,
};
const NOW = '2026-11-27';

function tooltrail(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const name of ['TOOLTRAIL_SIGNING_KEY_FILE', 'TOOLTRAIL_SIGNING_KEY', 'TOOLTRAIL_DIR'])
    if (!(name in env)) delete base[name];
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: base });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const at = (date: string, retention = 'general', tool?: string): OldCall => ({
  ts: `${date}T09:00:00.000Z`,
  retention,
  tool,
});

/**
 * Every chain opens with its signed genesis checkpoint (seq 0, in segment 0).
 * Chain A: seg 0 old general calls (deletable), seg 1 old general + a financial charge (kept 7 years),
 * seg 2 recent (last). Chain B: one old segment (last of its chain: never deleted).
 */
function makeTrail() {
  const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-cli-retention-')), 'trail');
  const { privateKeyPem } = writeOldTrail(dir, A, [
    [at('2024-01-02'), at('2024-01-03'), at('2024-01-04')],
    [at('2024-02-01'), at('2024-02-02', 'financial', 'charge_payment')],
    [at('2026-11-01'), at('2026-11-02')],
  ]);
  writeOldTrail(dir, B, [[at('2023-05-01')]], privateKeyPem);
  const { publicKeyPath } = writeKeys(dir, privateKeyPem);
  return { dir, publicKeyPath, privateKeyPem };
}

describe('tooltrail retention', () => {
  it('plan lists the deletable segments with counts and age, and deletes nothing', () => {
    const { dir } = makeTrail();
    const json = tooltrail(['retention', 'plan', '--source', dir, '--now', NOW, '--json']);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout);
    const a = plan.chains.find((chain: { chain: string }) => chain.chain === A).segments;
    expect(a.map((s: { deletable: boolean }) => s.deletable)).toEqual([true, false, false]);
    expect(a[0]).toMatchObject({ file: `${A}.000000.jsonl`, records: 5, firstSeq: 0, lastSeq: 4 });
    expect(a[0].ageDays).toBe(1057);
    expect(a[1].why).toMatch(/retained until 2031-01-31/);
    expect(a[2].why).toBe('last segment of its chain');
    const b = plan.chains.find((chain: { chain: string }) => chain.chain === B).segments;
    expect(b.map((s: { deletable: boolean }) => s.deletable)).toEqual([false]);

    const human = tooltrail(['retention', 'plan', '--source', dir, '--now', NOW]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(
        `1 segment\\(s\\), 5 record\\(s\\) may be deleted:\\n.*\\n\\s+${A}\\.000000\\.jsonl\\s+5\\s+0\\.\\.4\\s+2024-01-04T09:00:00.000Z\\s+1057d`,
      ),
    );
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl'))).toHaveLength(4);
    // A shorter financial class frees segment 1 too; an earlier --now frees nothing.
    const shorter = JSON.parse(
      tooltrail(['retention', 'plan', '--source', dir, '--now', NOW, '--class', 'financial=365', '--json'])
        .stdout,
    );
    expect(shorter.chains[0].segments.map((s: { deletable: boolean }) => s.deletable)).toEqual([
      true,
      true,
      false,
    ]);
    const early = JSON.parse(
      tooltrail(['retention', 'plan', '--source', dir, '--now', '2024-06-01', '--json']).stdout,
    );
    expect(early.chains[0].segments.some((s: { deletable: boolean }) => s.deletable)).toBe(false);
  });

  it('apply deletes under a signed anchor and the rest verifies clean with the pinned key', async () => {
    const { dir, publicKeyPath } = makeTrail();
    const run = tooltrail([
      'retention',
      'apply',
      '--source',
      dir,
      '--now',
      NOW,
      '--class',
      'financial=365',
      '--yes',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`chain ${A}: deleted 2 segment\\(s\\), 8 record\\(s\\) \\(seq 0\\.\\.7\\)`),
    );
    expect(existsSync(join(dir, `${A}.000000.jsonl`))).toBe(false);
    expect(existsSync(join(dir, `${A}.000001.jsonl`))).toBe(false);
    expect(existsSync(join(dir, `${A}.000002.jsonl`))).toBe(true);
    expect(existsSync(join(dir, `${B}.000000.jsonl`))).toBe(true);
    const anchorFile = join(dir, 'retention', `${A}.anchors.jsonl`);
    const anchor = JSON.parse(readFileSync(anchorFile, 'utf8'));
    expect(anchor).toMatchObject({ type: 'retention', chain: A, first_kept_seq: 8, alg: 'ed25519' });
    expect(anchor.deleted.map((d: { records: number }) => d.records)).toEqual([5, 3]);
    expect(anchor.policy.classes.financial).toBe(365);

    const verify = tooltrail(['verify', dir, '--public-key', publicKeyPath]);
    expect(verify.stdout).toMatch(/✔ intact: 6 records, 2 chain\(s\)/);
    expect(verify.code).toBe(0);
    expect((await verifyTrail(dir, { publicKeys: [readFileSync(publicKeyPath, 'utf8')] })).ok).toBe(true);

    // Nothing left to delete; the anchor is not duplicated.
    const again = tooltrail([
      'retention',
      'apply',
      '--source',
      dir,
      '--now',
      NOW,
      '--class',
      'financial=365',
      '--yes',
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing deleted/);
    expect(readFileSync(anchorFile, 'utf8').trim().split('\n')).toHaveLength(1);

    // A forged anchor (edited after signing) no longer vouches for the cut.
    writeFileSync(anchorFile, `${JSON.stringify({ ...anchor, first_kept_seq: 8, deleted: [] })}\n`);
    const forged = tooltrail(['verify', dir, '--public-key', publicKeyPath]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/bad_signature/);
    expect(forged.stdout).toMatch(/truncated/);
    rmSync(anchorFile);
    const missing = tooltrail(['verify', dir, '--public-key', publicKeyPath]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/truncated .*chain starts at seq 8/);
  });

  it('apply on a real SDK trail: two chains, each rolled over into several segments', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-cli-retention-sdk-')), 'trail');
    // Two runs of an agent in one trail directory: two chains, each past several 4 KiB segments.
    for (let run = 0; run < 2; run++) {
      const audit = setupToolAudit({
        trail: { dir, maxFileBytes: 4096 },
        checkpoints: { everyRecords: 7 },
        register: false,
        exitHooks: false,
      });
      const lookup = auditTool('lookup_order', async (args: { order_id: string }) => ({
        order_id: args.order_id,
        status: 'shipped',
      }));
      for (let i = 0; i < 40; i++) await lookup({ order_id: `ORD-${run}-${i}` });
      await audit.shutdown();
    }
    const chains = new Map<string, string[]>();
    for (const name of readdirSync(dir)
      .filter((file) => file.endsWith('.jsonl'))
      .sort()) {
      const chain = name.split('.')[0] as string;
      chains.set(chain, [...(chains.get(chain) ?? []), name]);
    }
    expect(chains.size).toBe(2);
    for (const segments of chains.values()) expect(segments.length).toBeGreaterThanOrEqual(3);
    const publicKey = readFileSync(join(dir, 'keys', 'signing-key.pub.pem'), 'utf8');
    const before = await verifyTrail(dir, { publicKeys: [publicKey] });
    expect(before.ok).toBe(true);

    // Far in the future every record is past its class: all but the last segment of each chain go.
    const run = tooltrail(['retention', 'apply', '--source', dir, '--now', '2100-01-01', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const [chain, segments] of chains) {
      expect(run.stdout).toMatch(new RegExp(`chain ${chain}: deleted ${segments.length - 1} segment\\(s\\)`));
      for (const segment of segments.slice(0, -1)) expect(existsSync(join(dir, segment))).toBe(false);
      expect(existsSync(join(dir, segments.at(-1) as string))).toBe(true);
      const anchors = readFileSync(join(dir, 'retention', `${chain}.anchors.jsonl`), 'utf8')
        .trim()
        .split('\n');
      expect(anchors).toHaveLength(1);
    }
    const after = await verifyTrail(dir, { publicKeys: [publicKey] });
    expect(after.problems).toEqual([]);
    expect(after.chains.map((chain) => chain.retainedFrom !== undefined)).toEqual([true, true]);
    expect(after.records).toBeLessThan(before.records);
    const verify = tooltrail(['verify', dir, '--public-key', join(dir, 'keys', 'signing-key.pub.pem')]);
    expect(verify.code).toBe(0);
  });

  it('apply cuts the old head of a chain that crashed (no final checkpoint); only its kept tail stays unfinished', async () => {
    const { dir, publicKeyPath } = makeTrail();
    // The process died before its final checkpoint: the last segment ends with two unsigned calls.
    const last = join(dir, `${A}.000002.jsonl`);
    const kept = readFileSync(last, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(kept.at(-1) as string)).toMatchObject({ type: 'checkpoint', final: true });
    writeFileSync(last, `${kept.slice(0, -1).join('\n')}\n`);
    const run = tooltrail([
      'retention',
      'apply',
      '--source',
      dir,
      '--now',
      NOW,
      '--class',
      'financial=365',
      '--yes',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, `${A}.000001.jsonl`))).toBe(false);
    const report = await verifyTrail(dir, { publicKeys: [readFileSync(publicKeyPath, 'utf8')] });
    // The cut verifies under its anchor; what is left to report is the crash, in the kept segment only.
    expect(report.problems.map((problem) => [problem.kind, problem.chain, problem.seq])).toEqual([
      ['unprotected', A, 8],
      ['unfinished', A, 9],
    ]);
    expect(report.chains.find((chain) => chain.chain === A)).toMatchObject({ retainedFrom: 8, final: false });
  });

  it('apply refuses to cut records no checkpoint signs', () => {
    const { dir, privateKeyPem } = makeTrail();
    // Chain C crashed before its first checkpoint after the genesis: its old head is signed by nothing.
    const key = loadSigningKey({ privateKey: privateKeyPem });
    const chain = new HashChain({ id: C });
    const call = (date: string) =>
      chain.append('tool_call', at(date).ts, { ...CALL_FIELDS, retention: 'general' }).line;
    const policy = { everyRecords: 100, everyMillis: 60_000, final: false, ts: at('2024-01-02').ts };
    const head = [appendCheckpoint(chain, key, policy).line, call('2024-01-02'), call('2024-01-03')];
    writeFileSync(join(dir, `${C}.000000.jsonl`), `${head.join('\n')}\n`);
    writeFileSync(join(dir, `${C}.000001.jsonl`), `${call('2026-11-01')}\n`);
    const run = tooltrail(['retention', 'apply', '--source', dir, '--now', NOW, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`refusing to delete: .*unprotected chain ${C} seq 1:`, 's'));
    expect(run.stderr).not.toMatch(/gap|truncated|link_mismatch/);
    expect(existsSync(join(dir, `${C}.000000.jsonl`))).toBe(true);
    expect(existsSync(join(dir, `${A}.000000.jsonl`))).toBe(true);
  });

  it('apply refuses a trail that does not verify, and deletes nothing', () => {
    const { dir } = makeTrail();
    const file = join(dir, `${A}.000000.jsonl`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('ORD-0-1', 'ORD-9-9'));
    const run = tooltrail(['retention', 'apply', '--source', dir, '--now', NOW, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refusing to delete: .*hash_mismatch/s);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(dir, 'retention'))).toBe(false);
  });

  it('apply refuses to write its anchor through a link planted at the anchors file, and deletes nothing', () => {
    const { dir } = makeTrail();
    const target = join(mkdtempSync(join(tmpdir(), 'tooltrail-cli-retention-target-')), 'elsewhere.jsonl');
    writeFileSync(target, '');
    mkdirSync(join(dir, 'retention'), { mode: 0o700 });
    symlinkSync(target, join(dir, 'retention', `${A}.anchors.jsonl`));
    const run = tooltrail(['retention', 'apply', '--source', dir, '--now', NOW, '--yes']);
    expect(run.stderr).toMatch(/refusing to write the retention anchor: .*anchors\.jsonl is a symbolic link/);
    expect(run.code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('');
    expect(existsSync(join(dir, `${A}.000000.jsonl`))).toBe(true);
  });

  it('bad input exits 2 with a clear message', () => {
    const { dir } = makeTrail();
    const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
      [['retention', 'apply', '--source', dir, '--now', NOW], /pass --yes/],
      [['retention', 'prune', '--source', dir], /plan or apply/],
      [['retention', 'plan', '--source', dir, '--now', 'yesterday'], /--now "yesterday" is not a date/],
      [['retention', 'plan', '--source', dir, '--class', 'general=0'], /NAME=DAYS/],
      [['retention', 'plan', '--source', join(dir, 'nope')], /not a trail directory/],
      [
        ['retention', 'apply', '--source', dir, '--now', NOW, '--yes'],
        /cannot read .*nope\.pem/,
        { TOOLTRAIL_SIGNING_KEY_FILE: join(dir, 'nope.pem') },
      ],
    ];
    for (const [args, message, env] of cases) {
      const run = tooltrail(args, env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl'))).toHaveLength(4);
  });
});
