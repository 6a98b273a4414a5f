import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tooltrail } from './support/run-cli.js';
import { type Call, writeSealedTrail } from './support/sealed-trail.js';

const at = (day: number, hour: number, minute = 0) =>
  `2026-02-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;

describe('tooltrail anomalies', () => {
  it('finds a repeated-access burst, a failure burst, off-hours access and lists emergencies first', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-anomalies-')), 'trail');
    const calls: Call[] = [];
    // dr_a: 24 daytime accesses (09:00–11:59) spread over days, one at 03:00 → off-hours (1/25 < 5%).
    for (let i = 0; i < 24; i++)
      calls.push({ ts: at(1 + (i % 12), 9 + (i % 3)), user: 'dr_a', subject: `patient:P-${i}` });
    calls.push({ ts: at(14, 3), user: 'dr_a', subject: 'patient:P-99' });
    // dr_b: the same subject 4 times in 40 minutes (threshold 4, window 1h), then once hours later.
    for (const minute of [0, 10, 20, 40])
      calls.push({ ts: at(20, 14, minute), user: 'dr_b', subject: 'patient:P-7' });
    calls.push({ ts: at(20, 18), user: 'dr_b', subject: 'patient:P-7' });
    // charge_payment fails 4 times within 30 minutes.
    for (const minute of [0, 5, 10, 30])
      calls.push({
        ts: at(21, 8, minute),
        user: 'billing',
        tool: 'charge_payment',
        subject: null,
        success: false,
      });
    // A break-the-glass access, late in time: still listed first.
    calls.push({ ts: at(25, 2), user: 'dr_c', subject: 'patient:P-1', emergency: 'unconscious in ER' });
    writeSealedTrail(dir, 'c1', calls);

    const run = tooltrail(['anomalies', '--window', '1h', '--threshold', '4', '--json', '--source', dir]);
    expect(run.code).toBe(1);
    const { anomalies } = JSON.parse(run.stdout);
    expect(anomalies.map((a: { kind: string }) => a.kind)).toEqual([
      'emergency',
      'off_hours',
      'repeated_access',
      'failure_burst',
    ]);
    expect(anomalies[0]).toMatchObject({ user: 'dr_c', subject: 'patient:P-1', emergency: true });
    expect(anomalies[1]).toMatchObject({ user: 'dr_a', count: 1, first: at(14, 3) });
    expect(anomalies[2]).toMatchObject({
      user: 'dr_b',
      subject: 'patient:P-7',
      count: 4,
      first: at(20, 14),
      last: at(20, 14, 40),
    });
    expect(anomalies[3]).toMatchObject({ tool: 'charge_payment', count: 4 });

    const human = tooltrail(['anomalies', '--threshold', '4', '--source', dir]).stdout.split('\n');
    expect(human[0]).toMatch(/^EMERGENCY\s+emergency\s+2026-02-25T02:00:00.000Z\s+break-the-glass: dr_c/);
    expect(human[4]).toBe('4 anomaly(ies)');

    // A threshold of 5 drops both bursts; a 30m window keeps the failure burst at 4 only if within 30m (it is).
    const strict = JSON.parse(tooltrail(['anomalies', '--threshold', '5', '--json', '--source', dir]).stdout);
    expect(strict.anomalies.map((a: { kind: string }) => a.kind)).toEqual(['emergency', 'off_hours']);
    const narrow = JSON.parse(
      tooltrail(['anomalies', '--window', '30m', '--threshold', '4', '--json', '--source', dir]).stdout,
    );
    expect(narrow.anomalies.map((a: { kind: string }) => a.kind)).toEqual([
      'emergency',
      'off_hours',
      'failure_burst',
    ]);
  });

  it('exits 0 on a quiet trail and 2 on bad flags', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-anomalies-quiet-')), 'trail');
    writeSealedTrail(dir, 'c1', [{ ts: at(1, 10) }, { ts: at(2, 10) }]);
    const run = tooltrail(['anomalies', '--source', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('no anomalies\n');
    expect(tooltrail(['anomalies', '--window', 'an hour', '--source', dir]).code).toBe(2);
    expect(tooltrail(['anomalies', '--threshold', '0', '--source', dir]).code).toBe(2);
    expect(tooltrail(['anomalies', '--since', '2026-02-30', '--source', dir]).code).toBe(2);
  });
});
