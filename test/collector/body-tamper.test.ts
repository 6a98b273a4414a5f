import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditBodies, readLogs } from './support/capture.js';
import { buildCollector } from './support/collector.js';
import { configVariant } from './support/config-variant.js';
import { OtlpSender, type SentCall } from './support/otlp-sender.js';
import { Pipeline } from './support/pipeline.js';
import { eventually } from './support/ports.js';
import { describeWithTools } from './support/toolchain.js';
import { recomputeChains, verifyLines } from './support/verify.js';

// A collector processor that rewrites the log body breaks verification (docs/collector.md), and this test catches it.
describeWithTools('a collector that rewrites audit bodies', ['go'], () => {
  let pipeline: Pipeline;
  let sent: SentCall[] = [];

  beforeAll(async () => {
    const tampering = configVariant('tampering', (config) => {
      // Hides failed calls: the kind of "harmless cleanup" a pipeline edit could introduce.
      config.processors['transform/tamper'] = {
        log_statements: [
          {
            context: 'log',
            statements: ['replace_pattern(body, "\\"success\\":false", "\\"success\\":true")'],
          },
        ],
      };
      config.service.pipelines['logs/audit']!.processors.push('transform/tamper');
    });
    pipeline = new Pipeline(buildCollector(), tampering);
    await pipeline.start();
    sent = await new OtlpSender(pipeline.otlpHttpEndpoint).send([
      { tool: 'order_lab_test', calls: 10, failEvery: 2 },
    ]);
    await eventually(
      () => (auditBodies(readLogs(pipeline.lokiOutput)).length >= sent.length ? true : undefined),
      20_000,
      'tampered records at the Loki side',
    );
  }, 20 * 60_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('is caught: the bodies Loki receives no longer verify', async () => {
    const bodies = auditBodies(readLogs(pipeline.lokiOutput));
    expect(bodies.some((body) => body.includes('"success":false'))).toBe(false);
    expect(recomputeChains(bodies).some((problem) => problem.includes('hash mismatch'))).toBe(true);
    const report = await verifyLines(bodies);
    expect(report.ok).toBe(false);
    expect(report.problems.length).toBeGreaterThan(0);
  });
});
