import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditBodies, readJsonLines, readLogs } from './support/capture.js';
import { buildCollector } from './support/collector.js';
import { configVariant } from './support/config-variant.js';
import { OtlpSender } from './support/otlp-sender.js';
import { Pipeline } from './support/pipeline.js';
import { eventually, sleep } from './support/ports.js';
import { describeWithTools } from './support/toolchain.js';
import { inChainOrder, recomputeChains, verifyLines } from './support/verify.js';

const LOKI = 'otlp_http/loki';
const HOUR = 3_600_000;
/**
 * How late each agent's records are: past Loki's default 1 h window, past 36 h, past 7 days; and one agent whose
 * clock runs 20 minutes ahead (past Loki's 10-minute creation grace period).
 */
const LATENESS = { '30h': 30 * HOUR, '40h': 40 * HOUR, '9d': 9 * 24 * HOUR, ahead: -HOUR / 3 } as const;
const CALLS = 15;
/** Records the exporter drops without transform/ingest_time: 40 h, 9 days and ahead, checkpoints included. */
const LATENESS_REFUSED = 3 * (CALLS + 2);

/** Each agent's audit records: its tool calls between a signed genesis and a final checkpoint. */
interface Run {
  pipeline: Pipeline;
  live: string[];
  late: Record<keyof typeof LATENESS, string[]>;
  startedAtNanos: bigint;
}

/** The public keys of every agent run here: what the verifier trusts. */
const publicKeys: string[] = [];

async function agentRun(endpoint: string, lateByMillis: number, calls: number): Promise<string[]> {
  const sender = new OtlpSender(endpoint, 'medical-assistant', lateByMillis);
  await sender.send([{ tool: 'order_lab_test', calls, failEvery: 5 }]);
  await sender.finish();
  publicKeys.push(sender.publicKey);
  return sender.lines;
}

/** Live records first (the stream's newest entry is "now"), then three agents replaying their trails late. */
async function replayLate(config?: string): Promise<Run> {
  const pipeline = new Pipeline(buildCollector(), config);
  await pipeline.start();
  const startedAtNanos = BigInt(Date.now()) * 1_000_000n;
  const live = await agentRun(pipeline.otlpHttpEndpoint, 0, 20);
  await eventually(
    () => (auditBodies(readLogs(pipeline.lokiOutput)).length >= live.length ? true : undefined),
    20_000,
    'the live records at the Loki stand-in',
  );
  const late = {} as Run['late'];
  for (const [name, millis] of Object.entries(LATENESS) as Array<[keyof typeof LATENESS, number]>) {
    late[name] = await agentRun(pipeline.otlpHttpEndpoint, millis, CALLS);
  }
  return { pipeline, live, late, startedAtNanos };
}

const allSent = (run: Run) => [...run.live, ...Object.values(run.late).flat()];

describeWithTools(
  'audit records 30 h, 40 h, 9 days late and 20 min ahead (Loki stand-in enforcing stack/loki.yaml)',
  ['go'],
  () => {
    let run: Run;

    beforeAll(async () => {
      run = await replayLate();
      await eventually(
        () =>
          new Set(auditBodies(readLogs(run.pipeline.lokiOutput))).size >= allSent(run).length ||
          run.pipeline.loki.acceptance.refusals.length > 0
            ? true
            : undefined,
        30_000,
        'every replayed record at the Loki stand-in',
      );
    }, 20 * 60_000);

    afterAll(async () => {
      await run?.pipeline.stop();
    });

    it('has Loki refuse none of them, and the collector give up on none', async () => {
      expect(run.pipeline.loki.acceptance.refusals).toEqual([]);
      expect((await run.pipeline.metric('otelcol_exporter_send_failed_log_records', LOKI)) ?? 0).toBe(0);
    });

    it('stores every record byte for byte, and the chains verify', async () => {
      const bodies = [...new Set(auditBodies(readLogs(run.pipeline.lokiOutput)))];
      expect([...bodies].sort()).toEqual([...allSent(run)].sort());
      expect(recomputeChains(bodies)).toEqual([]);
      const report = await verifyLines(inChainOrder(bodies), publicKeys);
      expect(report.problems).toEqual([]);
      expect(report.verdict).toBe('intact');
      expect(report.records).toBe(allSent(run).length);
    });

    it('dates a late record’s Loki line at receipt and a timely one at its own `ts`', () => {
      type Stored = {
        resourceLogs: Array<{
          scopeLogs: Array<{ logRecords: Array<{ timeUnixNano: string; body: { stringValue: string } }> }>;
        }>;
      };
      const entries = (readJsonLines(run.pipeline.lokiOutput) as Stored[]).flatMap((line) =>
        line.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)),
      );
      const ownTime = (entry: (typeof entries)[number]) =>
        BigInt(Date.parse((JSON.parse(entry.body.stringValue) as { ts: string }).ts)) * 1_000_000n;
      const late = new Set(Object.values(run.late).flat());
      const replayed = entries.filter((entry) => late.has(entry.body.stringValue));
      expect(replayed).toHaveLength(late.size);
      for (const entry of replayed) {
        expect(BigInt(entry.timeUnixNano)).toBeGreaterThanOrEqual(run.startedAtNanos);
        const shift = BigInt(entry.timeUnixNano) - ownTime(entry);
        expect(shift < 0n ? -shift : shift).toBeGreaterThan(BigInt(HOUR / 4) * 1_000_000n);
      }
      // Live records keep their own time: dashboards, span links and Loki's dedup of re-sent lines work as before.
      const live = new Set(run.live);
      const timely = entries.filter((entry) => live.has(entry.body.stringValue));
      expect(timely).toHaveLength(live.size);
      for (const entry of timely) expect(BigInt(entry.timeUnixNano)).toBe(ownTime(entry));
    });

    it('archives them all as well', () => {
      const archived = new Set(auditBodies(readLogs(run.pipeline.archivePath)));
      expect(allSent(run).every((line) => archived.has(line))).toBe(true);
    });
  },
);

// What transform/ingest_time prevents: with the records' own times as Loki line times, Loki refuses the 40 h
// replay (too far behind the stream's newest entry), the 9-day one (too old) and the clock ahead (too new).
describeWithTools('the same replays without transform/ingest_time', ['go'], () => {
  let run: Run;

  beforeAll(async () => {
    const ownTime = configVariant('own-time', (config) => {
      delete config.processors['transform/ingest_time'];
      const audit = config.service.pipelines['logs/audit']!;
      audit.processors = audit.processors.filter((name) => name !== 'transform/ingest_time');
    });
    run = await replayLate(ownTime);
    await eventually(
      async () =>
        ((await run.pipeline.metric('otelcol_exporter_send_failed_log_records', LOKI)) ?? 0) >=
        LATENESS_REFUSED
          ? true
          : undefined,
      30_000,
      'the exporter to drop the refused requests',
    );
    await sleep(1_000);
  }, 20 * 60_000);

  afterAll(async () => {
    await run?.pipeline.stop();
  });

  it('loses the 40 h, 9-day and clock-ahead records in Loki (the archive still has them)', () => {
    const reasons = new Set(run.pipeline.loki.acceptance.refusals.map((refusal) => refusal.reason));
    expect(reasons).toEqual(new Set(['too far behind', 'too old', 'too new']));
    const stored = new Set(auditBodies(readLogs(run.pipeline.lokiOutput)));
    expect(run.late['40h'].some((line) => stored.has(line))).toBe(false);
    expect(run.late['9d'].some((line) => stored.has(line))).toBe(false);
    expect(run.late.ahead.some((line) => stored.has(line))).toBe(false);
    // 30 h behind is inside the 36 h window stack/loki.yaml configures.
    expect(run.late['30h'].every((line) => stored.has(line))).toBe(true);
    const archived = new Set(auditBodies(readLogs(run.pipeline.archivePath)));
    expect(allSent(run).every((line) => archived.has(line))).toBe(true);
  });
});
