import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { toolFailureRateHigh } from '../../grafana/src/alerts/tool-failure-rate.js';
import { ruleFile } from '../../grafana/src/render/rule-files.js';
import { repoRoot } from '../collector/support/collector.js';
import { describeWithTools } from '../collector/support/toolchain.js';

const stack = join(repoRoot, 'stack');
const run = (command: string, args: string[], cwd = stack) => {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

/** Runs stack/prometheus/tests/tooltrail.test.yml against a rule file rendered with `options`. */
function unitTestWith(options: Parameters<typeof toolFailureRateHigh>[0]) {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-promtool-'));
  mkdirSync(join(dir, 'rules'));
  mkdirSync(join(dir, 'tests'));
  writeFileSync(
    join(dir, 'rules', 'tooltrail.yml'),
    ruleFile([toolFailureRateHigh(options)], 'promql', 'tooltrail-tools'),
  );
  copyFileSync(
    join(stack, 'prometheus', 'tests', 'tooltrail.test.yml'),
    join(dir, 'tests', 'tooltrail.test.yml'),
  );
  return run('promtool', ['test', 'rules', 'tooltrail.test.yml'], join(dir, 'tests'));
}

describeWithTools('Prometheus and Alertmanager configuration', ['promtool', 'amtool'], () => {
  it('has valid rule files', () => {
    const result = run('promtool', ['check', 'rules', 'prometheus/rules/tooltrail.yml']);
    expect(result.output).toContain('SUCCESS: 1 rules found');
    expect(result.status).toBe(0);
  });

  it('passes the ToolFailureRateHigh unit tests: fires for a failing tool, silent for healthy and quiet ones', () => {
    const result = run(
      'promtool',
      ['test', 'rules', 'tooltrail.test.yml'],
      join(stack, 'prometheus', 'tests'),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('has unit tests that catch a rule without the minimum-volume guard or the for: clause', () => {
    expect(unitTestWith({ minCalls: 5 }).status).not.toBe(0);
    expect(unitTestWith({ forDuration: '0m' }).status).not.toBe(0);
    expect(unitTestWith({ maxFailureRatio: 0.6 }).status).not.toBe(0);
    expect(unitTestWith({}).status).toBe(0);
  });

  it('has a valid Prometheus config', () => {
    const result = run('promtool', ['check', 'config', '--syntax-only', 'prometheus/prometheus.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('has an Alertmanager config that passes amtool check-config', () => {
    const result = run('amtool', ['check-config', 'alertmanager.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
