import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../collector/support/collector.js';
import { describeWithTools } from '../collector/support/toolchain.js';
import { type ComposeProject, loadCompose } from './support/compose-check.js';

const BACKENDS = ['otel-collector', 'tempo', 'loki', 'prometheus', 'alertmanager', 'grafana'];

describeWithTools('docker-compose.yml, checked offline with the Compose spec loader', ['go'], () => {
  let project: ComposeProject;

  beforeAll(() => {
    const loaded = loadCompose({ GRAFANA_ADMIN_PASSWORD: 'test-only-password' });
    if (!loaded.project) throw new Error(loaded.error);
    project = loaded.project;
  }, 10 * 60_000);

  it('refuses to start Grafana without an admin password from env', () => {
    const loaded = loadCompose({});
    expect(loaded.project).toBeUndefined();
    expect(loaded.error).toMatch(/GRAFANA_ADMIN_PASSWORD/);
  });

  it('runs the collector, Tempo, Loki, Prometheus, Alertmanager and Grafana on pinned images', () => {
    for (const name of BACKENDS) {
      const image = project.services[name]?.image ?? '';
      expect(image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    }
  });

  it('uses the contrib collector image of the release builder.yaml pins', () => {
    const builder = readFileSync(join(repoRoot, 'collector-config', 'builder.yaml'), 'utf8');
    const release = /otlpreceiver v(\d+\.\d+\.\d+)/.exec(builder)?.[1];
    expect(project.services['otel-collector']?.image).toBe(`otel/opentelemetry-collector-contrib:${release}`);
  });

  it('mounts only files and directories that exist in the repository', () => {
    const binds = Object.values(project.services).flatMap((service) =>
      (service.volumes ?? []).filter((volume) => volume.type === 'bind'),
    );
    expect(binds.length).toBeGreaterThanOrEqual(8);
    for (const bind of binds) {
      expect(existsSync(bind.source), bind.source).toBe(true);
      expect(bind.read_only, bind.source).toBe(true);
    }
  });

  it('keeps state on declared named volumes', () => {
    const named = Object.values(project.services).flatMap((service) =>
      (service.volumes ?? []).filter((volume) => volume.type === 'volume').map((volume) => volume.source),
    );
    for (const volume of ['collector-data', 'tempo-data', 'loki-data', 'prometheus-data', 'grafana-data']) {
      expect(named).toContain(volume);
      expect(Object.keys(project.volumes)).toContain(volume);
    }
  });

  it('probes readiness from a pinned busybox, not with tools inside the backends’ images', () => {
    for (const name of BACKENDS) {
      const check = project.services[name]?.healthcheck;
      expect(check?.test === undefined || check.disable === true, name).toBe(true);
    }
    const probe = project.services['stack-probe']!;
    expect(probe.image).toMatch(/^busybox:\d+\.\d+\.\d+$/);
    const test = (probe.healthcheck?.test ?? []).join(' ');
    for (const url of [
      'http://loki:3100/ready',
      'http://tempo:3200/ready',
      'http://prometheus:9090/-/ready',
      'http://alertmanager:9093/-/ready',
      'http://grafana:3000/api/health',
      'http://otel-collector:13133/',
    ]) {
      expect(test).toContain(url);
    }
    // Grafana needs its datasources only when a view or rule queries them: it waits for nothing to be healthy.
    const grafana = project.services.grafana!;
    for (const dependency of ['prometheus', 'loki', 'tempo']) {
      expect(grafana.depends_on?.[dependency]?.condition).toBe('service_started');
    }
  });

  it('runs Tempo and Loki as their images’ own user (10001), on volumes volume-init hands to it', () => {
    for (const [name, path] of [
      ['tempo', '/var/tempo'],
      ['loki', '/loki'],
    ] as const) {
      const service = project.services[name]!;
      expect(service.user, name).toBe('10001:10001');
      expect(service.depends_on?.['volume-init']?.condition).toBe('service_completed_successfully');
      const volume = service.volumes?.find((v) => v.type === 'volume');
      const init = project.services['volume-init']!;
      expect(
        init.volumes?.some((v) => v.source === volume?.source && v.target === path),
        name,
      ).toBe(true);
      expect(init.command?.join(' ')).toContain(`10001:10001`);
      expect(init.command?.join(' ')).toContain(path);
    }
  });

  it('publishes Loki (3100), Tempo (3200), Prometheus and Alertmanager on 127.0.0.1 only, for the CLI', () => {
    const bound = (name: string) =>
      (project.services[name]?.ports ?? []).map((port) => `${port.host_ip}:${port.published}`);
    expect(bound('loki')).toEqual(['127.0.0.1:3100']);
    expect(bound('tempo')).toEqual(['127.0.0.1:3200']);
    expect(bound('prometheus')).toEqual(['127.0.0.1:9090']);
    expect(bound('alertmanager')).toEqual(['127.0.0.1:9093']);
    expect(project.services.prometheus?.command).toContain('--web.enable-remote-write-receiver');
  });

  it('provisions the Grafana-managed alert rules only with TOOLTRAIL_GRAFANA_ALERTS=on', () => {
    const alerting = (p: ComposeProject) =>
      p.services.grafana?.volumes?.find((v) => v.target === '/etc/grafana/provisioning/alerting')?.source;
    expect(alerting(project)).toBe(join(repoRoot, 'grafana', 'provisioning', 'alerting-off'));
    const rulesOff = readdirSync(alerting(project)!).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(rulesOff).toEqual([]);
    const on = loadCompose({ GRAFANA_ADMIN_PASSWORD: 'x', TOOLTRAIL_GRAFANA_ALERTS: 'on' }).project!;
    expect(alerting(on)).toBe(join(repoRoot, 'grafana', 'provisioning', 'alerting-on'));
    expect(readdirSync(alerting(on)!).sort()).toEqual([
      'alertmanager-contact-point.yaml',
      'tooltrail-rules.yaml',
    ]);
  });

  it('points the collector at the persistent queue and archive on its volume', () => {
    const collector = project.services['otel-collector']!;
    expect(collector.environment?.COLLECTOR_STORAGE_DIR).toMatch(/^\/var\/lib\/otelcol\//);
    expect(collector.environment?.AUDIT_ARCHIVE_PATH).toMatch(/^\/var\/lib\/otelcol\//);
    expect(
      collector.volumes?.some((v) => v.source === 'collector-data' && v.target === '/var/lib/otelcol'),
    ).toBe(true);
    const config = collector.volumes?.find((v) => v.target === '/etc/otelcol/otelcol.yaml');
    expect(config?.source).toBe(join(repoRoot, 'collector-config', 'otelcol.yaml'));
  });
});

type LokiConfig = {
  limits_config: {
    retention_stream: Array<{ selector: string; period: string }>;
    otlp_config: {
      resource_attributes: {
        ignore_defaults: boolean;
        attributes_config: Array<{ action: string; attributes?: string[] }>;
      };
    };
  };
  compactor: { retention_enabled: boolean };
  ruler: { storage: { local: { directory: string } } };
};

it('keeps healthcare audit streams 6 years, financial 7, general 1 in Loki', () => {
  const loki = parse(readFileSync(join(repoRoot, 'stack', 'loki.yaml'), 'utf8')) as LokiConfig;
  const hours = Object.fromEntries(
    loki.limits_config.retention_stream.map((rule) => [rule.selector, Number.parseInt(rule.period, 10)]),
  );
  expect(hours['{tooltrail_retention="healthcare"}']).toBe(6 * 8760);
  expect(hours['{tooltrail_retention="financial"}']).toBe(7 * 8760);
  expect(hours['{tooltrail_retention="general"}']).toBe(8760);
  expect(loki.compactor.retention_enabled).toBe(true);
});

it('indexes only service name and retention class as Loki labels', () => {
  const loki = parse(readFileSync(join(repoRoot, 'stack', 'loki.yaml'), 'utf8')) as LokiConfig;
  const resource = loki.limits_config.otlp_config.resource_attributes;
  expect(resource.ignore_defaults).toBe(true);
  const labels = resource.attributes_config
    .filter((c) => c.action === 'index_label')
    .flatMap((c) => c.attributes ?? []);
  expect(labels.sort()).toEqual(['service.name', 'tooltrail.retention']);
});

it('puts the Loki ruler rules where the compose mount and the "fake" tenant expect them', () => {
  const loki = parse(readFileSync(join(repoRoot, 'stack', 'loki.yaml'), 'utf8')) as LokiConfig;
  const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
  expect(compose).toContain(`./stack/loki/rules:${loki.ruler.storage.local.directory}:ro`);
  const rules = parse(
    readFileSync(join(repoRoot, 'stack', 'loki', 'rules', 'fake', 'tooltrail.yml'), 'utf8'),
  ) as {
    groups: Array<{ rules: Array<{ alert: string }> }>;
  };
  expect(rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert)).sort()).toEqual([
    'EmergencyAccess',
    'SubjectAccessSpike',
  ]);
});
