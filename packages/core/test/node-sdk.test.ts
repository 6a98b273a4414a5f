import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit, withAuditContext } from '../src/index.js';
import { tempDir } from './support/make-trail.js';

describe('inside an existing NodeSDK setup', () => {
  it('records tool calls and redacts spans when the user adds audit.spanProcessor first', async () => {
    const dir = tempDir();
    const audit = setupToolAudit({
      trail: { dir },
      register: false,
      exitHooks: false,
      onError: () => undefined,
    });
    const exported = new InMemorySpanExporter();
    const exporting = new SimpleSpanProcessor(exported);
    const sdk = new NodeSDK({ spanProcessors: [audit.spanProcessor, exporting] });
    sdk.start();
    const tool = auditTool('lookup', async (args: { ssn: string }) => ({ id: 'P-9', ssn: args.ssn }));
    await withAuditContext({ userId: 'u1' }, () => tool({ ssn: '123-45-6789' }));
    // A span from any other code on the same provider is redacted too.
    trace
      .getTracer('app')
      .startSpan('db.query', { attributes: { 'db.query.text': 'where email = "a.b@example.org"' } })
      .end();
    await audit.forceFlush();
    await exporting.forceFlush();
    // Read before shutdown: the in-memory exporter forgets its spans when shut down.
    const spans = exported.getFinishedSpans();
    await audit.shutdown();
    await sdk.shutdown();

    expect(spans.map((span) => span.name)).toEqual(['execute_tool lookup', 'db.query']);
    // seq 0 is the chain's signed genesis checkpoint: the first call is seq 1.
    expect(spans[0]?.attributes['tooltrail.chain.seq']).toBe(1);
    expect(spans[1]?.attributes['db.query.text']).toBe('where email = "[REDACTED:email]"');
    const trail = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
    const text = readFileSync(join(dir, trail[0]!), 'utf8');
    expect(text).toContain('"user":"u1"');
    expect(text).not.toContain('123-45-6789');
  });
});
