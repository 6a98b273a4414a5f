import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'packages/cli/dist/bin.js');
const demo = join(root, 'examples/medical-assistant/src/main.mjs');
const CANARIES = [
  'Jane Roe',
  'John Doe',
  '123-45-6789',
  '987-65-4321',
  '1984-03-12',
  '4111 1111 1111 1111',
  'jane.roe@example.org',
];

function tooltrail(...args: string[]) {
  return tooltrailWith({}, ...args);
}

/** An empty working directory: a `.tooltrail/` the demo left in the repository must not count. */
const emptyCwd = mkdtempSync(join(tmpdir(), 'tooltrail-cwd-'));

function tooltrailWith(extra: NodeJS.ProcessEnv, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of ['TOOLTRAIL_PUBLIC_KEY_FILE', 'TOOLTRAIL_DIR', 'TOOLTRAIL_SOURCE']) delete env[name];
  const run = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...env, ...extra },
    cwd: emptyCwd,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('tooltrail verify and timeline on the demo trail', () => {
  let dir: string;
  let demoOutput: string;
  let publicKey: string;

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-cli-')), 'trail');
    const env: NodeJS.ProcessEnv = { ...process.env, TOOLTRAIL_DIR: dir, NO_COLOR: '1' };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    demoOutput = execFileSync(process.execPath, [demo], { env, encoding: 'utf8' });
    publicKey = join(dir, 'keys/signing-key.pub.pem');
  });

  it('runs the demo: a timeline with a failure and a retry, then an intact verification', () => {
    expect(demoOutput).toMatch(
      /\[Turn 1\] ❌ charge_payment\(.*\) → \{"success":false,"error":"payment gateway timeout/,
    );
    expect(demoOutput).toMatch(
      /\[Turn 1\] ✅ charge_payment\(.*"card_number":"hmac:demo1:[0-9a-f]{64}".*\(retry\)/,
    );
    // 11 tool calls and 4 checkpoints: the genesis (seq 0), two periodic ones and the final one.
    expect(demoOutput).toMatch(/✔ intact: 15 records, 1 chain\(s\), 4 checkpoint\(s\), 0 problem\(s\)/);
    expect(demoOutput).toMatch(/chain \S+: seq 0\.\.14, protected up to seq 14, final, 4 checkpoint\(s\)/);
    expect(demoOutput).toContain('production keys come from env or a file');
    for (const canary of CANARIES) expect(demoOutput).not.toContain(canary);
  });

  it('exits 0 on an intact trail and reports chains and checkpoints as JSON', () => {
    const run = tooltrail('verify', dir, '--public-key', publicKey, '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      verdict: 'intact',
      trusted: true,
      records: 15,
      checkpoints: 4,
      problems: [],
      warnings: [],
    });
  });

  it('pins the key from TOOLTRAIL_PUBLIC_KEY_FILE; without a trusted key nothing is intact (exit 1)', () => {
    const pinned = tooltrailWith({ TOOLTRAIL_PUBLIC_KEY_FILE: publicKey }, 'verify', dir);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toMatch(/^✔ intact: 15 records, 1 chain\(s\), 4 checkpoint\(s\), 0 problem\(s\)/);
    const unpinned = tooltrail('verify', dir);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stdout).toContain('? NOT PROVEN (no trusted key)');
    expect(unpinned.stdout).not.toContain('✔ intact');
  });

  it('exits 1 on a flipped byte, naming kind, chain and seq', () => {
    const copy = mkdtempSync(join(tmpdir(), 'tooltrail-cli-tampered-'));
    const file = readdirSync(dir).find((name) => name.endsWith('.jsonl'))!;
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines[3] = lines[3]!.replace('"success":true', '"success":false');
    writeFileSync(join(copy, file), lines.join('\n'));
    const chain = file.replace(/\.\d+\.jsonl$/, '');
    const run = tooltrail('verify', copy, '--public-key', publicKey);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`hash_mismatch\\s+chain ${chain}\\s+seq 3\\s+hash does not match`));
    expect(run.stdout).toContain('✘ TAMPERED OR DAMAGED');
  });

  it('exits 2 on usage and I/O errors', () => {
    expect(tooltrail('verify').code).toBe(2);
    expect(tooltrail('verify', dir, '--no-such-flag').code).toBe(2);
    const missing = tooltrail('verify', join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
    expect(tooltrail('verify', dir, '--public-key', join(dir, 'missing.pem')).code).toBe(2);
    expect(tooltrail('frobnicate').code).toBe(2);
  });

  it('prints a conversation timeline with redacted arguments, in turn order', () => {
    const conversation = /\$ tooltrail timeline (\S+)/.exec(demoOutput)![1]!;
    const nurse = conversation.replace(/_billing$/, '_nurse');
    const run = tooltrailWith({ TOOLTRAIL_PUBLIC_KEY_FILE: publicKey }, 'timeline', nurse, dir);
    expect(run.code).toBe(0);
    // The verdict over what was read goes to stderr, the rows alone to stdout.
    expect(run.stderr).toMatch(/^✔ integrity: intact: 15 records in 1 chain\(s\) of .*\n$/);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\[Turn 1\] ✅ access_patient_record\(\{"patient_id":"P-1002"\}\) → .* by nurse_ortiz$/,
    );
    expect(lines[1]).toMatch(
      /^\[Turn 1\] ❌ update_treatment\(.*\) → \{"success":false,"error":"role nurse may not prescribe for P-1002 \(SSN hmac:demo1:[0-9a-f]{64}\)"\}/,
    );
    expect(lines[2]).toMatch(/schedule_appointment.*\(follow_up\)$/);
    const unpinned = tooltrail('timeline', nurse, dir, '--json');
    expect(unpinned.stderr).toMatch(/^⚠ integrity: NOT PROVEN: no trusted key/);
    expect(tooltrail('timeline', nurse, dir, '--no-verify').stderr).toBe('');
    const json = JSON.parse(unpinned.stdout);
    expect(json.map((record: { tool: string }) => record.tool)).toEqual([
      'access_patient_record',
      'update_treatment',
      'schedule_appointment',
    ]);
  });
});
