import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeKeys, writeOldTrail } from './support/old-trail.js';
import { tooltrail } from './support/run-cli.js';

const temp = () => mkdtempSync(join(tmpdir(), 'tooltrail-cli-strict-'));
const KEY = `k1:${Buffer.alloc(32, 7).toString('base64')}\n`;

/** A trail whose first segment is past retention (general, 2024) and whose last is recent. */
function oldTrail(): { dir: string; privateKeyPath: string } {
  const dir = join(temp(), 'trail');
  const { privateKeyPem } = writeOldTrail(dir, '20240101T000000Z-aaaaaaaa', [
    [{ ts: '2024-01-02T09:00:00.000Z', retention: 'general' }],
    [{ ts: '2026-11-01T09:00:00.000Z', retention: 'general' }],
  ]);
  return { dir, privateKeyPath: writeKeys(dir, privateKeyPem).privateKeyPath };
}

describe('the CLI reads keys like OpenSSH StrictModes (exit 2, the path and the fix)', () => {
  it('pseudonym refuses a key file others can read, and a key file that is a link', () => {
    const dir = temp();
    const file = join(dir, 'pseudonym.key');
    writeFileSync(file, KEY, { mode: 0o644 });
    chmodSync(file, 0o644);
    const open = tooltrail(['pseudonym', 'Jane Roe', '--key-file', file]);
    expect(open.code).toBe(2);
    expect(open.stdout).toBe('');
    expect(open.stderr).toContain(`key file ${file} is readable or writable by group or others (mode 0644)`);
    expect(open.stderr).toContain(`run chmod 600 ${file}`);
    chmodSync(file, 0o600);
    expect(tooltrail(['pseudonym', 'Jane Roe', '--key-file', file]).code).toBe(0);
    const link = join(dir, 'link.key');
    symlinkSync(file, link);
    const linked = tooltrail(['pseudonym', 'Jane Roe', '--key-file', link]);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain(`${link} is a symbolic link`);
    const fromEnv = tooltrail(['pseudonym', 'Jane Roe'], { TOOLTRAIL_PSEUDONYM_KEY_FILE: link });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain(`TOOLTRAIL_PSEUDONYM_KEY_FILE ${link} is a symbolic link`);
  });

  it('retention apply refuses a signing key that is a link, and deletes nothing', () => {
    const { dir, privateKeyPath } = oldTrail();
    const elsewhere = join(temp(), 'key.pem');
    writeFileSync(elsewhere, readFileSync(privateKeyPath), { mode: 0o600 });
    rmSync(privateKeyPath);
    symlinkSync(elsewhere, privateKeyPath);
    const run = tooltrail(['retention', 'apply', '--source', dir, '--now', '2026-11-27', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${privateKeyPath} is a symbolic link`);
    expect(existsSync(join(dir, '20240101T000000Z-aaaaaaaa.000000.jsonl'))).toBe(true);
  });

  it('retention apply never appends its anchor through a link planted at the anchors file', () => {
    const { dir } = oldTrail();
    const victim = join(temp(), 'precious.txt');
    writeFileSync(victim, 'precious\n');
    const retention = join(dir, 'retention');
    mkdirSync(retention, { mode: 0o700 });
    symlinkSync(victim, join(retention, '20240101T000000Z-aaaaaaaa.anchors.jsonl'));
    const run = tooltrail(['retention', 'apply', '--source', dir, '--now', '2026-11-27', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/anchors\.jsonl is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(existsSync(join(dir, '20240101T000000Z-aaaaaaaa.000000.jsonl'))).toBe(true);
  });
});
