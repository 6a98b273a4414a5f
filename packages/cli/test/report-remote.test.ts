import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/run-cli.js';

// A fake Tempo on 127.0.0.1 answering in the documented /api/search and /api/v2/traces/<id> shapes; not a live Tempo.
const NANOS = (iso: string) => `${BigInt(Date.parse(iso)) * 1_000_000n}`;
const attr = (key: string, value: string | number | boolean) => ({
  key,
  value:
    typeof value === 'string'
      ? { stringValue: value }
      : typeof value === 'number'
        ? { intValue: String(value) }
        : { boolValue: value },
});
const span = (id: string, ts: string, user: string, emergency = false) => ({
  traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64'),
  spanId: Buffer.from(id.padEnd(16, '0'), 'hex').toString('base64'),
  name: 'execute_tool access_patient_record',
  startTimeUnixNano: NANOS(ts),
  endTimeUnixNano: `${BigInt(NANOS(ts)) + 2_000_000n}`,
  attributes: [
    attr('gen_ai.operation.name', 'execute_tool'),
    attr('gen_ai.tool.name', 'access_patient_record'),
    attr('user.id', user),
    attr('tooltrail.role', 'physician'),
    attr('tooltrail.purpose', emergency ? 'emergency_treatment' : 'treatment'),
    attr('tooltrail.subject', 'patient:P-1'),
    attr('tooltrail.chain.id', 'c1'),
    ...(emergency ? [attr('tooltrail.emergency', true)] : []),
  ],
  status: {},
});

describe('tooltrail report access over Tempo (fake server, not a live Tempo)', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      requests.push(url.pathname);
      response.setHeader('content-type', 'application/json');
      if (url.pathname === '/api/search') {
        response.end(
          JSON.stringify({
            traces: [
              {
                traceID: '0af7651916cd43dd8448eb211c80319c',
                startTimeUnixNano: NANOS('2026-03-01T10:00:00Z'),
              },
            ],
          }),
        );
      } else if (url.pathname.startsWith('/api/v2/traces/')) {
        const spans = [
          span('01', '2026-03-01T10:00:00Z', 'dr_a'),
          span('02', '2026-03-02T03:00:00Z', 'dr_b', true),
        ];
        response.end(JSON.stringify({ trace: { resourceSpans: [{ scopeSpans: [{ spans }] }] } }));
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `tempo+http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The server runs in this process, so the CLI must run asynchronously (spawnSync would block the server).
  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
      delete env.TOOLTRAIL_SOURCE;
      delete env.TOOLTRAIL_PUBLIC_KEY_FILE;
      const child = spawn(process.execPath, [join(repoRoot, 'packages/cli/dist/bin.js'), ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('lists the accesses rebuilt from spans but says at the top that nothing was verified, exit 1', async () => {
    const md = await run([
      'report',
      'access',
      '--subject',
      'patient:P-1',
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-31',
      '--source',
      base,
    ]);
    expect(md.stderr).toBe('');
    expect(md.code).toBe(1);
    expect(md.stdout.split('\n')[0]).toMatch(
      /^> \*\*⚠ NOT VERIFIED: tempo\+http:\/\/127\.0\.0\.1:\d+ holds spans/,
    );
    expect(md.stdout).toContain('- Total accesses: 2');
    const rows = md.stdout.split('\n').filter((line) => line.startsWith('| 2026-'));
    // No checkpoint covers a span: every row is flagged.
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/^\| 2026-\S+ \*\*⚠ UNPROTECTED\*\* \|/);
    expect(rows[0]).toContain(
      '| dr_b | physician | access_patient_record | emergency_treatment | yes | **YES** |',
    );
    expect(requests).toContain('/api/search');
    expect(requests.some((path) => path.startsWith('/api/v2/traces/'))).toBe(true);
  });

  it('counts stats from spans: two calls, 2 ms each', async () => {
    const stats = await run([
      'stats',
      '--since',
      '2026-03-01',
      '--until',
      '2026-03-31',
      '--json',
      '--source',
      base,
    ]);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).by_tool).toEqual([
      {
        tool: 'access_patient_record',
        total_calls: 2,
        failures: 0,
        success_rate: 1,
        avg_duration_ms: 2,
        p95_duration_ms: 2,
        max_duration_ms: 2,
        unique_users: 2,
      },
    ]);
  });

  it('exits 2 with a clear message when the server is unreachable', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const down = await run([
      'query',
      '--user',
      'dr_a',
      '--since',
      '2026-03-01',
      '--source',
      `tempo+http://127.0.0.1:${closed}`,
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach Tempo at http:\/\/127\.0\.0\.1:\d+.*(ECONNREFUSED|refused)/i);
  });
});
