import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditTool, setupToolAudit } from '@tooltrail/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tooltrail } from './support/run-cli.js';

const SECRET = Buffer.from('a-pseudonym-secret-of-32-bytes!!').toString('base64');
const KEY_ENV = { TOOLTRAIL_PSEUDONYM_KEY: `k1:${SECRET}`, TOOLTRAIL_PSEUDONYM_KEY_FILE: '' };
const NO_KEY_ENV = { TOOLTRAIL_PSEUDONYM_KEY: '', TOOLTRAIL_PSEUDONYM_KEY_FILE: '' };
const MRN = 'MRN-000123';

describe('subjects written as keyed pseudonyms (subjectPseudonyms)', () => {
  let dir: string;
  let subjects: unknown[];

  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'tooltrail-subject-')), 'trail');
    const audit = setupToolAudit({
      trail: { dir },
      register: false,
      exitHooks: false,
      onError: () => {},
      pseudonymKey: { id: 'k1', secret: 'a-pseudonym-secret-of-32-bytes!!' },
      subjectKeys: { mrn: 'patient' },
      subjectPseudonyms: true,
    } as Parameters<typeof setupToolAudit>[0]);
    const chart = auditTool('open_chart', async (_args: { mrn: string }) => 'ok');
    await chart({ mrn: MRN });
    await chart({ mrn: MRN });
    await chart({ mrn: 'MRN-999999' });
    await audit.shutdown();
    const text = readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    expect(text).not.toContain(MRN);
    subjects = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.type === 'tool_call')
      .map((record) => record.subject);
  });

  it('tooltrail pseudonym --kind subject prints the subject as the records hold it', () => {
    const run = tooltrail(['pseudonym', '--kind', 'subject', `patient:${MRN}`], KEY_ENV);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = run.stdout.trim();
    expect(printed).toMatch(/^patient:hmac:k1:[0-9a-f]{64}$/);
    expect(subjects.filter((subject) => subject === printed)).toHaveLength(2);
  });

  it('tooltrail report access and query --subject <clear value> find them with the key in the environment', () => {
    const args = [
      'report',
      'access',
      '--subject',
      `patient:${MRN}`,
      '--from',
      '2020-01-01',
      '--to',
      '2100-01-01',
    ];
    const withKey = tooltrail([...args, '--format', 'json', '--source', dir], KEY_ENV);
    expect(JSON.parse(withKey.stdout).total_accesses).toBe(2);
    const bare = tooltrail(
      [
        'report',
        'access',
        '--subject',
        MRN,
        '--from',
        '2020-01-01',
        '--to',
        '2100-01-01',
        '--format',
        'json',
        '--source',
        dir,
      ],
      KEY_ENV,
    );
    expect(JSON.parse(bare.stdout).total_accesses).toBe(2);
    const query = tooltrail(
      ['query', '--subject', `patient:${MRN}`, '--json', '--no-verify', '--source', dir],
      KEY_ENV,
    );
    expect(query.code).toBe(0);
    expect(
      query.stdout
        .trim()
        .split('\n')
        .filter((line) => line.includes('open_chart')),
    ).toHaveLength(2);
    // Without the key the clear value matches nothing: the trail does not hold it.
    const withoutKey = tooltrail([...args, '--format', 'json', '--source', dir], NO_KEY_ENV);
    expect(JSON.parse(withoutKey.stdout).total_accesses).toBe(0);
  });
});
