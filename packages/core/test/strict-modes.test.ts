import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, setupToolAudit, UnsafePathError } from '../src/index.js';
import { ErrorHandler } from '../src/internal/error-handler.js';
import { ensureLocalPseudonymKey, ensureLocalSigningKey, readKeyFile } from '../src/internal.js';
import { LocalTrail } from '../src/sinks/local-trail.js';
import { ShipPositionFile } from '../src/trail/ship-cursor.js';
import { tempDir } from './support/make-trail.js';

const KEY_ENV = [
  'TOOLTRAIL_SIGNING_KEY_FILE',
  'TOOLTRAIL_SIGNING_KEY',
  'TOOLTRAIL_PSEUDONYM_KEY_FILE',
] as const;
const root = process.getuid?.() === 0;

/** setupToolAudit without a configured key: the key is generated (or read) in `<dir>/keys`. */
function setup(dir: string, options: Parameters<typeof setupToolAudit>[0] = {}) {
  return setupToolAudit({ trail: { dir }, register: false, exitHooks: false, onError: () => {}, ...options });
}

/** A file outside the trail that an attacker wants the SDK to overwrite or read. */
function victim(): string {
  const file = join(tempDir('tooltrail-victim-'), 'precious.txt');
  writeFileSync(file, 'precious\n');
  return file;
}

afterEach(() => {
  for (const name of KEY_ENV) delete process.env[name];
});

describe('keys and trail files, like OpenSSH StrictModes', () => {
  it('never writes through a link planted at keys/signing-key.pub.pem', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'keys'), { mode: 0o700 });
    const target = victim();
    symlinkSync(target, join(dir, 'keys', 'signing-key.pub.pem'));
    const audit = setup(dir);
    await audit.shutdown();
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    const pub = lstatSync(join(dir, 'keys', 'signing-key.pub.pem'));
    expect(pub.isSymbolicLink()).toBe(false);
    expect(pub.mode & 0o777).toBe(0o644);
  });

  it('refuses a link planted at keys/signing-key.pem (its target is neither read nor written)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'keys'), { mode: 0o700 });
    const target = join(tempDir('tooltrail-victim-'), 'key.pem');
    writeFileSync(target, generateSigningKeyPair().privateKeyPem, { mode: 0o600 });
    symlinkSync(target, join(dir, 'keys', 'signing-key.pem'));
    expect(() => setup(dir)).toThrow(/^tooltrail: .*signing-key\.pem is a symbolic link/);
  });

  it('refuses a planted 0644 private key in a pre-created 0777 trail directory', () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'signing-key.pem'), generateSigningKeyPair().privateKeyPem, {
      mode: 0o644,
    });
    expect(() => setup(dir)).toThrow(UnsafePathError);
    expect(() => setup(dir)).toThrow(`writable by group or others (mode 0777): run chmod 700 ${dir}`);
    // Even with a key configured elsewhere: a trail anyone can write is not an audit trail.
    const signingKey = { privateKey: generateSigningKeyPair().privateKeyPem };
    expect(() => setup(dir, { signingKey })).toThrow(/run chmod 700/);
  });

  it('refuses a 0644 private key, and a group-writable keys directory, each with the fix', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'keys'), { mode: 0o700 });
    const key = join(dir, 'keys', 'signing-key.pem');
    writeFileSync(key, generateSigningKeyPair().privateKeyPem, { mode: 0o644 });
    chmodSync(key, 0o644);
    expect(() => setup(dir)).toThrow(`(mode 0644): run chmod 600 ${key}`);
    chmodSync(key, 0o600);
    chmodSync(join(dir, 'keys'), 0o770);
    expect(() => setup(dir)).toThrow(`run chmod 700 ${join(dir, 'keys')}`);
    chmodSync(join(dir, 'keys'), 0o700);
    return setup(dir).shutdown();
  });

  it('refuses a symlinked trail directory and a symlinked keys directory', () => {
    const real = tempDir();
    const link = join(tempDir(), 'trail');
    symlinkSync(real, link);
    expect(() => setup(link)).toThrow(`trail directory ${link} is a symbolic link`);
    const dir = tempDir();
    symlinkSync(tempDir(), join(dir, 'keys'));
    expect(() => setup(dir)).toThrow(/keys directory .* is a symbolic link/);
  });

  it.runIf(root)('refuses a trail directory and a key file owned by another user (run as root)', () => {
    const dir = tempDir();
    chownSync(dir, 12345, 12345);
    expect(() => setup(dir)).toThrow(/is owned by uid 12345, not by the user running tooltrail \(uid 0\)/);
    const file = join(tempDir(), 'key.pem');
    writeFileSync(file, generateSigningKeyPair().privateKeyPem, { mode: 0o600 });
    chownSync(file, 12345, 12345);
    expect(() => readKeyFile(file, 'private')).toThrow(/owned by uid 12345/);
  });

  it('makes a planted 0666 segment private, and appends nothing to one owned by another user (run as root)', () => {
    const trail = (dir: string) =>
      new LocalTrail({
        dir,
        chainId: 'c1',
        fsync: 'never',
        fsyncIntervalMillis: 1000,
        maxFileBytes: 1 << 20,
        errors: new ErrorHandler(() => undefined),
      });
    const open = tempDir();
    const planted = join(open, 'c1.000000.jsonl');
    writeFileSync(planted, '');
    chmodSync(planted, 0o666);
    const first = trail(open);
    expect(first.append('{"seq":0}')).toBe(true);
    first.close();
    expect(statSync(planted).mode & 0o777).toBe(0o600);
    if (!root) return;
    const foreign = tempDir();
    const theirs = join(foreign, 'c1.000000.jsonl');
    writeFileSync(theirs, 'theirs\n', { mode: 0o600 });
    chownSync(theirs, 12345, 12345);
    const second = trail(foreign);
    expect(second.append('{"seq":0}')).toBe(false);
    expect(second.lost).toBe(1);
    second.close();
    expect(readFileSync(theirs, 'utf8')).toBe('theirs\n');
  });

  it('checks TOOLTRAIL_SIGNING_KEY_FILE and TOOLTRAIL_PSEUDONYM_KEY_FILE the same way', () => {
    const keys = tempDir();
    const signing = join(keys, 'signing.pem');
    writeFileSync(signing, generateSigningKeyPair().privateKeyPem, { mode: 0o640 });
    chmodSync(signing, 0o640);
    process.env.TOOLTRAIL_SIGNING_KEY_FILE = signing;
    expect(() => setup(tempDir())).toThrow(`TOOLTRAIL_SIGNING_KEY_FILE ${signing} is readable or writable`);
    chmodSync(signing, 0o600);
    const pseudonym = join(keys, 'pseudonym.key');
    writeFileSync(pseudonym, `k1:${Buffer.alloc(32, 1).toString('base64')}\n`, { mode: 0o600 });
    const link = join(keys, 'pseudonym-link.key');
    symlinkSync(pseudonym, link);
    process.env.TOOLTRAIL_PSEUDONYM_KEY_FILE = link;
    expect(() => setup(tempDir())).toThrow(`TOOLTRAIL_PSEUDONYM_KEY_FILE ${link} is a symbolic link`);
    process.env.TOOLTRAIL_PSEUDONYM_KEY_FILE = pseudonym;
    return setup(tempDir()).shutdown();
  });

  it('refuses a FIFO and a huge file as TOOLTRAIL_SIGNING_KEY_FILE before reading either', () => {
    const keys = tempDir();
    const fifo = join(keys, 'signing-fifo.pem');
    execFileSync('mkfifo', [fifo]);
    chmodSync(fifo, 0o600);
    process.env.TOOLTRAIL_SIGNING_KEY_FILE = fifo;
    expect(() => setup(tempDir())).toThrow(`TOOLTRAIL_SIGNING_KEY_FILE ${fifo} is not a regular file`);
    // 1 GiB, sparse: read whole, it took seconds and a gigabyte of memory before failing as no PEM key.
    const huge = join(keys, 'signing-huge.pem');
    writeFileSync(huge, generateSigningKeyPair().privateKeyPem, { mode: 0o600 });
    truncateSync(huge, 1 << 30);
    process.env.TOOLTRAIL_SIGNING_KEY_FILE = huge;
    expect(() => setup(tempDir())).toThrow(UnsafePathError);
    expect(() => setup(tempDir())).toThrow(`TOOLTRAIL_SIGNING_KEY_FILE ${huge} is ${1 << 30} bytes`);
  });

  it('creates the trail and keys directories 0700, the private keys 0600 and the public key 0644', () => {
    const dir = join(tempDir(), 'trail');
    const signing = ensureLocalSigningKey(dir);
    const pseudonym = ensureLocalPseudonymKey(dir, 'demo1');
    expect(signing.created && pseudonym.created).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(statSync(signing.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(statSync(signing.publicKeyPath).mode & 0o777).toBe(0o644);
    expect(statSync(pseudonym.path).mode & 0o777).toBe(0o600);
    expect(readKeyFile(pseudonym.path, 'private')).toMatch(/^demo1:[A-Za-z0-9+/]{43}=\n$/);
    expect(readKeyFile(signing.publicKeyPath, 'public')).toContain('BEGIN PUBLIC KEY');
    expect(ensureLocalSigningKey(dir).created).toBe(false);
  });

  it('never creates the pseudonym key through a dangling link', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'keys'), { mode: 0o700 });
    const target = join(tempDir('tooltrail-victim-'), 'planted.key');
    symlinkSync(target, join(dir, 'keys', 'pseudonym.key'));
    const { path } = ensureLocalPseudonymKey(dir);
    expect(() => readKeyFile(path, 'private')).toThrow(/is a symbolic link/);
    expect(() => statSync(target)).toThrow(/ENOENT/);
  });

  it('never appends records through a link planted at a segment name, nor writes a cursor through one', () => {
    const dir = tempDir();
    const target = victim();
    symlinkSync(target, join(dir, 'c1.000000.jsonl'));
    const reported: string[] = [];
    const trail = new LocalTrail({
      dir,
      chainId: 'c1',
      fsync: 'never',
      fsyncIntervalMillis: 1000,
      maxFileBytes: 1 << 20,
      errors: new ErrorHandler((error) => reported.push((error as Error).message)),
    });
    expect(trail.append('{"seq":0}')).toBe(false);
    trail.close();
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(reported.join('\n')).toMatch(/could not write to the local trail/);
    symlinkSync(target, join(dir, 'c1.shipped'));
    expect(() => new ShipPositionFile(dir, 'c1').write({ seq: 3, final: false })).toThrow(/ELOOP/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
  });
});
