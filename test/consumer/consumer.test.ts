import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The packed packages, installed the way a user installs them: a fresh npm project outside the workspace,
// third-party packages from the registry at these exact versions.
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = join(REPO, 'test/consumer/fixtures');
const PACKAGES = ['core', 'cli', 'instrumentation'];
const THIRD_PARTY = [
  '@opentelemetry/api@1.10.0',
  '@modelcontextprotocol/sdk@1.32.2',
  '@modelcontextprotocol/server-filesystem@2026.8.31',
  'ai@6.0.325',
  'zod@4.6.7',
];
const SSN = '123-45-6789';
const run = promisify(execFile);

let root: string;
let app: string;
let keys: { privateKeyFile: string; publicKeyFile: string };

beforeAll(async () => {
  for (const name of PACKAGES)
    if (!existsSync(join(REPO, 'packages', name, 'dist')))
      throw new Error(`packages/${name}/dist is missing: run pnpm build first`);
  root = mkdtempSync(join(tmpdir(), 'tooltrail-consumer-'));
  const packs = join(root, 'packs');
  mkdirSync(packs);
  for (const name of PACKAGES)
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(REPO, 'packages', name) });
  app = join(root, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true }));
  const tarballs = readdirSync(packs).map((file) => join(packs, file));
  expect(tarballs).toHaveLength(3);
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...THIRD_PARTY], {
    cwd: app,
    timeout: 240_000,
  });
  const body = readFileSync(join(FIXTURES, 'agent-body.js'), 'utf8');
  for (const format of ['mjs', 'cjs'])
    writeFileSync(
      join(app, `agent.${format}`),
      readFileSync(join(FIXTURES, `agent-head.${format}`), 'utf8') + body,
    );
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'chart.txt'), 'Patient P-1: chart\n');
  // The signing key lives away from the trail; the verifier gets the public key pinned.
  const keyDir = join(root, 'keys');
  mkdirSync(keyDir, { mode: 0o700 });
  const pair = generateKeyPairSync('ed25519');
  keys = { privateKeyFile: join(keyDir, 'signing.pem'), publicKeyFile: join(keyDir, 'public.pem') };
  writeFileSync(keys.privateKeyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    flag: 'wx',
  });
  writeFileSync(keys.publicKeyFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function toolCalls(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.type === 'tool_call');
}

describe('the packed packages in a fresh npm project (outside the workspace)', () => {
  it.each([
    ['ESM', 'mjs', '--import'],
    ['CommonJS', 'cjs', '-r'],
  ])(
    '%s agent, zero-code: MCP (both sides) and AI SDK calls recorded; verify passes with the pinned key',
    async (_label, format, flag) => {
      const trailDir = join(root, `trail-${format}`);
      const serverTrailDir = join(root, `server-trail-${format}`);
      const agent = await run(
        process.execPath,
        [flag, '@tooltrail/instrumentation/register', `agent.${format}`],
        {
          cwd: app,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            TOOLTRAIL_DIR: trailDir,
            SERVER_TRAIL_DIR: serverTrailDir,
            DATA_DIR: join(root, 'data'),
            TOOLTRAIL_SIGNING_KEY_FILE: keys.privateKeyFile,
            TOOLTRAIL_USER_ID: 'dr-solo',
          },
        },
      );
      expect(JSON.parse(agent.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
        listed: true,
        read: true,
      });

      const client = toolCalls(trailDir);
      const server = toolCalls(serverTrailDir);
      expect(client.map((record) => [record.tool, record.success, record.user])).toEqual([
        ['list_directory', true, 'dr-solo'],
        ['read_text_file', true, 'dr-solo'],
        ['lookup_patient', true, 'dr-solo'],
      ]);
      expect(server.map((record) => [record.tool, record.success, record.user])).toEqual([
        ['list_directory', true, 'dr-solo'],
        ['read_text_file', true, 'dr-solo'],
      ]);
      // Both sides of each MCP call are one trace.
      expect(server.map((record) => record.trace_id)).toEqual(
        client.slice(0, 2).map((record) => record.trace_id),
      );
      expect(
        readFileSync(join(trailDir, readdirSync(trailDir).find((file) => file.endsWith('.jsonl'))!), 'utf8'),
      ).not.toContain(SSN);

      for (const dir of [trailDir, serverTrailDir]) {
        const verify = await run('npx', ['tooltrail', 'verify', dir, '--public-key', keys.publicKeyFile], {
          cwd: app,
        });
        expect(verify.stdout).toContain('pinned key');
      }
    },
    120_000,
  );

  it('npx tooltrail --help works there', async () => {
    const help = await run('npx', ['tooltrail', '--help'], { cwd: app });
    expect(help.stdout).toMatch(/^usage: tooltrail <command>/);
    expect(help.stdout).toContain('verify');
  });
});
