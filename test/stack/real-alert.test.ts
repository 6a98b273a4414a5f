import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { toolFailureRateHigh } from '../../grafana/src/alerts/tool-failure-rate.js';
import { ruleFile } from '../../grafana/src/render/rule-files.js';
import { buildCollector, repoRoot } from '../collector/support/collector.js';
import { OtlpSender } from '../collector/support/otlp-sender.js';
import { Pipeline } from '../collector/support/pipeline.js';
import { eventually, freePort, sleep } from '../collector/support/ports.js';
import { describeWithTools } from '../collector/support/toolchain.js';
import { type RunningServer, startServer, startWebhook, type Webhook } from './support/server.js';

// Test-only timing: the shipped rule uses a 5m window and `for: 5m`; here the same rule, rendered from the same
// definition, uses a 30s window, `for: 5s` and a 1s evaluation interval so the whole path (collector -> Prometheus -> rule ->
// Alertmanager -> webhook) is exercised in well under a minute. Thresholds (10%, 20 calls) are unchanged.
const TEST_RULE = toolFailureRateHigh({ window: '30s', forDuration: '5s' });

type AlertmanagerConfig = {
  route: { group_wait?: string; group_interval?: string; routes?: Array<Record<string, unknown>> };
  receivers: Array<{ webhook_configs?: Array<{ url: string }> }>;
};

describeWithTools(
  'ToolFailureRateHigh end to end: collector -> Prometheus -> Alertmanager -> webhook',
  ['go', 'prometheus', 'prometheus-alertmanager'],
  () => {
    let pipeline: Pipeline;
    let webhook: Webhook;
    const servers: RunningServer[] = [];
    let firedAfterMillis = 0;

    beforeAll(async () => {
      pipeline = new Pipeline(buildCollector());
      await pipeline.start();
      const dir = join(pipeline.dir, 'alerting');
      mkdirSync(dir);
      webhook = await startWebhook();

      // Alertmanager: the shipped config with every receiver pointed at the local webhook, no grouping delay.
      const alertmanagerConfig = parse(
        readFileSync(join(repoRoot, 'stack', 'alertmanager.yml'), 'utf8'),
      ) as AlertmanagerConfig;
      for (const receiver of alertmanagerConfig.receivers) {
        for (const hook of receiver.webhook_configs ?? []) hook.url = webhook.url;
      }
      alertmanagerConfig.route.group_wait = '1s';
      alertmanagerConfig.route.group_interval = '1s';
      writeFileSync(join(dir, 'alertmanager.yml'), stringify(alertmanagerConfig));
      const alertmanagerPort = await freePort();
      servers.push(
        await startServer({
          name: 'alertmanager',
          command: 'prometheus-alertmanager',
          args: [
            `--config.file=${join(dir, 'alertmanager.yml')}`,
            `--storage.path=${join(dir, 'alertmanager-data')}`,
            `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
            '--cluster.listen-address=',
          ],
          ready: `http://127.0.0.1:${alertmanagerPort}/-/ready`,
          logDir: dir,
        }),
      );

      writeFileSync(join(dir, 'rules.yml'), ruleFile([TEST_RULE], 'promql', 'tooltrail-tools', '1s'));
      writeFileSync(
        join(dir, 'prometheus.yml'),
        stringify({
          global: { scrape_interval: '1s', evaluation_interval: '1s' },
          rule_files: [join(dir, 'rules.yml')],
          alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
          scrape_configs: [
            {
              job_name: 'tooltrail-span-metrics',
              static_configs: [{ targets: [pipeline.prometheusEndpoint] }],
            },
          ],
        }),
      );
      const prometheusPort = await freePort();
      servers.push(
        await startServer({
          name: 'prometheus',
          command: 'prometheus',
          args: [
            `--config.file=${join(dir, 'prometheus.yml')}`,
            `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
            `--web.listen-address=127.0.0.1:${prometheusPort}`,
          ],
          ready: `http://127.0.0.1:${prometheusPort}/-/ready`,
          logDir: dir,
        }),
      );

      // ~20 s of traffic: one tool fails every other call, the other 1 call in 20 (5%, under the 10% threshold);
      // both well above 20 calls per window.
      const startedAt = Date.now();
      const sender = new OtlpSender(pipeline.otlpHttpEndpoint);
      const sending = (async () => {
        for (let round = 0; round < 30; round++) {
          await sender.send([
            { tool: 'flaky_lookup', calls: 4, failEvery: 2 },
            { tool: 'steady_lookup', calls: 4, failEvery: round % 5 === 0 ? 4 : 0 },
          ]);
          await sleep(500);
        }
      })();
      await eventually(
        () => (firingFor('flaky_lookup').length > 0 ? true : undefined),
        90_000,
        'ToolFailureRateHigh for flaky_lookup at the webhook',
      );
      firedAfterMillis = Date.now() - startedAt;
      await sending;
      console.info(
        `real alert: ToolFailureRateHigh reached the webhook ${firedAfterMillis} ms after traffic started`,
      );
    }, 5 * 60_000);

    afterAll(async () => {
      for (const server of servers.reverse()) await server.stop();
      await webhook?.close();
      await pipeline?.stop();
    });

    function firingFor(tool: string) {
      return webhook.received
        .flatMap((payload) => payload.alerts)
        .filter(
          (a) =>
            a.status === 'firing' &&
            a.labels.alertname === 'ToolFailureRateHigh' &&
            a.labels.gen_ai_tool_name === tool,
        );
    }

    it('fires for the tool that fails half the time, with the rule labels', () => {
      const [alert] = firingFor('flaky_lookup');
      expect(alert?.labels).toMatchObject({
        severity: 'warning',
        team: 'agents',
        gen_ai_tool_name: 'flaky_lookup',
      });
      expect(firedAfterMillis).toBeLessThan(90_000);
    });

    it('stays silent for the tool that fails 5% of the time', async () => {
      const metrics = await (await fetch(`http://${pipeline.prometheusEndpoint}/metrics`)).text();
      // Its failures did reach Prometheus' source: the silence is the rule's judgement, not missing data.
      expect(metrics).toMatch(
        /traces_span_metrics_calls_total\{[^}]*gen_ai_tool_name="steady_lookup"[^}]*status_code="STATUS_CODE_ERROR"/,
      );
      expect(firingFor('steady_lookup')).toEqual([]);
    });
  },
);
