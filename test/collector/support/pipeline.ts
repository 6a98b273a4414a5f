import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCaptureConfig } from './capture.js';
import { collectorConfig, type RunningCollector, startCollector } from './collector.js';
import { LokiStandIn } from './loki-stand-in.js';
import { freePort } from './ports.js';

/**
 * The tooltrail collector on 127.0.0.1 with its Tempo endpoint pointed at a capture collector and its Loki
 * endpoint at the Loki stand-in (loki-stand-in.ts: Loki's acceptance rules as stack/loki.yaml sets them).
 * Everything lives in one temp dir; stop() ends the collectors and the stand-in.
 */
export class Pipeline {
  readonly dir = mkdtempSync(join(tmpdir(), 'tooltrail-collector-'));
  readonly tempoOutput = join(this.dir, 'tempo', 'received.jsonl');
  readonly lokiOutput = join(this.dir, 'loki', 'received.jsonl');
  readonly archivePath = join(this.dir, 'archive', 'audit.jsonl');
  readonly queueDir = join(this.dir, 'queue');
  ports = {
    otlpHttp: 0,
    otlpGrpc: 0,
    prometheus: 0,
    telemetry: 0,
    health: 0,
    tempo: 0,
    tempoHealth: 0,
    loki: 0,
  };
  collector: RunningCollector | undefined;
  tempo: RunningCollector | undefined;
  /** The Loki stand-in; its acceptance state (refusals, streams) outlives stop()/startLoki(). */
  readonly loki = new LokiStandIn();

  constructor(
    private readonly _binary: string,
    /** Collector config to run; tests pass modified copies of otelcol.yaml. */
    private readonly _config = collectorConfig,
  ) {
    for (const sub of ['tempo', 'loki', 'archive', 'queue'])
      mkdirSync(join(this.dir, sub), { recursive: true });
  }

  get otlpHttpEndpoint(): string {
    return `http://127.0.0.1:${this.ports.otlpHttp}`;
  }

  get prometheusEndpoint(): string {
    return `127.0.0.1:${this.ports.prometheus}`;
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    for (const key of Object.keys(this.ports) as Array<keyof Pipeline['ports']>)
      this.ports[key] = await freePort();
    this.tempo = await this._startCapture(
      'tempo',
      'grpc',
      this.ports.tempo,
      this.ports.tempoHealth,
      this.tempoOutput,
    );
    await this.startLoki();
    await this.startCollector(extraEnv);
  }

  /** (Re)starts the tooltrail collector on the same ports and the same queue directory. */
  async startCollector(extraEnv: Record<string, string> = {}): Promise<void> {
    this.collector = await startCollector({
      binary: this._binary,
      name: 'tooltrail-collector',
      config: this._config,
      health: `127.0.0.1:${this.ports.health}`,
      logDir: this.dir,
      env: {
        OTLP_HTTP_LISTEN: `127.0.0.1:${this.ports.otlpHttp}`,
        OTLP_GRPC_LISTEN: `127.0.0.1:${this.ports.otlpGrpc}`,
        PROMETHEUS_EXPORTER_LISTEN: `127.0.0.1:${this.ports.prometheus}`,
        HEALTH_CHECK_LISTEN: `127.0.0.1:${this.ports.health}`,
        COLLECTOR_TELEMETRY_HOST: '127.0.0.1',
        COLLECTOR_TELEMETRY_PORT: String(this.ports.telemetry),
        TEMPO_OTLP_ENDPOINT: `127.0.0.1:${this.ports.tempo}`,
        LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${this.ports.loki}/otlp`,
        AUDIT_ARCHIVE_PATH: this.archivePath,
        COLLECTOR_STORAGE_DIR: this.queueDir,
        SPAN_METRICS_FLUSH_INTERVAL: '1s',
        AUDIT_RETRY_MAX_INTERVAL: '2s',
        ...extraEnv,
      },
    });
  }

  private _lokiStarts = 0;

  /**
   * (Re)starts the Loki stand-in on the same port. Each start writes a new file next to the first; readers
   * take every file sharing the stem.
   */
  async startLoki(): Promise<void> {
    const output =
      this._lokiStarts === 0
        ? this.lokiOutput
        : this.lokiOutput.replace(/\.jsonl$/, `-${this._lokiStarts}.jsonl`);
    this._lokiStarts++;
    await this.loki.start(this.ports.loki, output);
  }

  /** Ends the collectors and the stand-in; removes the temp dir unless TOOLTRAIL_KEEP_TEST_DIRS=1 (for post-mortems). */
  async stop(): Promise<void> {
    await this.collector?.stop();
    await Promise.all([this.tempo?.stop(), this.loki.stop()]);
    if (process.env.TOOLTRAIL_KEEP_TEST_DIRS !== '1') rmSync(this.dir, { recursive: true, force: true });
  }

  /** Bytes the persistent queue holds on disk. */
  queueBytes(): number {
    return readdirSync(this.queueDir).reduce(
      (sum, file) => sum + statSync(join(this.queueDir, file)).size,
      0,
    );
  }

  /** The sum of one of the main collector's own metrics, e.g. otelcol_exporter_queue_size for the Loki exporter. */
  async metric(name: string, exporter: string): Promise<number | undefined> {
    const text = await this.telemetry().catch(() => '');
    const values = text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) && line.includes(`exporter="${exporter}"`))
      .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
  }

  /** The main collector's own metric, e.g. otelcol_exporter_queue_size{exporter="otlp_http/loki"}. */
  async telemetry(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.ports.telemetry}/metrics`);
    return response.text();
  }

  private _startCapture(
    name: string,
    protocol: 'grpc' | 'http',
    port: number,
    health: number,
    output: string,
  ) {
    const config = writeCaptureConfig({
      path: join(this.dir, `${name}-capture.yaml`),
      protocol,
      listen: `127.0.0.1:${port}`,
      health: `127.0.0.1:${health}`,
      output,
    });
    return startCollector({
      binary: this._binary,
      name: `${name}-capture`,
      config,
      health: `127.0.0.1:${health}`,
      logDir: this.dir,
      env: {},
    });
  }
}
