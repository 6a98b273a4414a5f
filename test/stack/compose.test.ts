import { existsSync, readFileSync } from 'node:fs';
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

  it('has health checks on every backend that ships a probe, and Grafana waits for them', () => {
    for (const name of ['tempo', 'loki', 'prometheus', 'alertmanager', 'grafana']) {
      expect(project.services[name]?.healthcheck?.test?.length, name).toBeGreaterThan(0);
    }
    const grafana = project.services.grafana!;
    for (const dependency of ['prometheus', 'loki', 'tempo']) {
      expect(grafana.depends_on?.[dependency]?.condition).toBe('service_healthy');
    }
  });

  it('publishes OTLP on 4317/4318 and Grafana on 3000, with anonymous access off', () => {
    const published = (name: string) =>
      (project.services[name]?.ports ?? []).map((port) => Number(port.published));
    expect(published('otel-collector')).toEqual(expect.arrayContaining([4317, 4318]));
    expect(published('grafana')).toContain(3000);
    const environment = project.services.grafana?.environment ?? {};
    expect(environment.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(environment.GF_SECURITY_ADMIN_PASSWORD).toBe('test-only-password');
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
