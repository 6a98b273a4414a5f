/**
 * Paths an application opens on spans tooltrail did not fill itself: a tool renaming its own `execute_tool` span,
 * a `tooltrail.subject` attribute set by the tool or on an application span (no record behind it), and a
 * failure reported while the setup is being built. Each leaked before its fix.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  auditTool,
  auditToolCall,
  generateSigningKeyPair,
  setupToolAudit,
  type ToolAudit,
} from '../../src/index.js';
import { readings } from '../pii/leaks.js';
import { type Harness, startAudit } from '../support/audit-harness.js';
import { tempDir } from '../support/make-trail.js';

const EMAIL = 'carol.canary@example.net';
const SSN = '512-44-7788';
const NEEDLES = ['carol.canary', '512447788'];
const KEY = { id: 'k1', secret: 'a-pseudonym-secret-of-32-bytes!!' };

let harness: Harness | undefined;
let audit: ToolAudit | undefined;
afterEach(async () => {
  await harness?.audit.shutdown();
  await audit?.shutdown();
  harness = undefined;
  audit = undefined;
});

const readable = (text: string) => NEEDLES.filter((needle) => readings(text).some((r) => r.includes(needle)));

async function exportedSpans(h: Harness) {
  await h.audit.forceFlush();
  return h.spans.getFinishedSpans();
}

describe('a span name the tool sets on its own span', () => {
  it('redacts a rename with updateName() inside an audited call, keeps the name tooltrail gave it', async () => {
    harness = startAudit();
    await auditTool('chart', async () => {
      trace.getActiveSpan()?.updateName(`chart of ${EMAIL} (SSN ${SSN})`);
      return 'ok';
    })();
    await auditTool('chart', async () => 'ok')();
    const names = (await exportedSpans(harness)).map((span) => span.name);
    expect(readable(JSON.stringify(names))).toEqual([]);
    expect(names).toEqual(['chart of [REDACTED:email] (SSN [REDACTED:ssn])', 'execute_tool chart']);
  });
});

describe('what a tool adds to its own span (the span the runner judges by OwnValues)', () => {
  it('redacts exceptions (stack, cause, AggregateError), events, links, status and late attributes (guard)', async () => {
    harness = startAudit();
    const CARD = '4539 1488 0343 6467';
    await auditTool('chart', async () => {
      const span = trace.getActiveSpan();
      if (!span) throw new Error('no active span');
      const stacked = new Error('lookup failed');
      stacked.stack = `Error: lookup failed\n    at chart (/srv/${EMAIL}/chart.js:1:1) ssn ${SSN}`;
      span.recordException(stacked);
      span.recordException(new Error('outer', { cause: new Error(`inner ${EMAIL}`) }));
      span.recordException(new AggregateError([new Error(SSN)], `all failed for ${EMAIL}`));
      span.recordException(`card ${CARD}`);
      span.addEvent(`sent to ${EMAIL}`, { [`to.${EMAIL}`]: SSN, card: [CARD] });
      span.addLink({ context: span.spanContext(), attributes: { who: EMAIL } });
      span.setAttributes({ 'app.note': `ssn ${SSN}`, 'gen_ai.tool.type': EMAIL, 'tooltrail.turn': SSN });
      span.setStatus({ code: 2, message: `failed for ${EMAIL}` });
      return 'ok';
    })();
    const spans = await exportedSpans(harness);
    const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.links, s.status]));
    expect(readable(text)).toEqual([]);
    expect(text).not.toContain('4539 1488');
    expect(spans[0]?.events.length).toBe(5);
  });
});

describe('tooltrail.subject on a span that is not the record’s subject', () => {
  it('pseudonymises a subject the tool sets on its span when the record has none', async () => {
    harness = startAudit({ pseudonymKey: KEY });
    await auditTool('chart', async () => {
      trace.getActiveSpan()?.setAttribute('tooltrail.subject', `patient:${EMAIL}`);
      return 'ok';
    })();
    const [span] = await exportedSpans(harness);
    expect(harness.toolCalls()[0]?.subject).toBeNull();
    expect(span?.attributes['tooltrail.subject']).toMatch(/^patient:hmac:k1:[0-9a-f]{64}$/);
  });

  it('keeps the record’s subject on the span, replaces one the tool wrote over it', async () => {
    harness = startAudit({ pseudonymKey: KEY });
    const chart = auditTool('chart', async (_p: { patient_id: string }) => 'ok', {
      subject: (args) => `patient:${args.patient_id}`,
    });
    await chart({ patient_id: 'P-1' });
    const overwrite = auditTool(
      'chart',
      async (_p: { patient_id: string }) => {
        trace.getActiveSpan()?.setAttribute('tooltrail.subject', `patient:${SSN}`);
        return 'ok';
      },
      { subject: (args) => `patient:${args.patient_id}` },
    );
    await overwrite({ patient_id: 'P-2' });
    const spans = await exportedSpans(harness);
    // The runner writes the record's subject when the call ends, over what the tool set.
    expect(spans.map((span) => span.attributes['tooltrail.subject'])).toEqual(['patient:P-1', 'patient:P-2']);
  });

  it('pseudonymises (or masks, without a key) a subject set on an application span', async () => {
    for (const pseudonymKey of [KEY, undefined]) {
      harness = startAudit({ pseudonymKey });
      const tracer = trace.getTracer('app');
      const span = tracer.startSpan('GET /chart', {
        attributes: { 'tooltrail.subject': `patient:${EMAIL}` },
      });
      span.setAttribute('tooltrail.subject', `patient:${SSN}`);
      span.end();
      const other = tracer.startSpan('GET /chart', { attributes: { 'tooltrail.subject': 'patient:P-7' } });
      other.end();
      const subjects = (await exportedSpans(harness)).map((s) => s.attributes['tooltrail.subject']);
      expect(readable(JSON.stringify(subjects))).toEqual([]);
      expect(subjects[0]).toMatch(pseudonymKey ? /^patient:hmac:k1:[0-9a-f]{64}$/ : /^patient:\[REDACTED:/);
      // An identifier that no rule calls personal data stays as given, as in a record.
      expect(subjects[1]).toBe('patient:P-7');
      await harness.audit.shutdown();
      harness = undefined;
    }
  });
});

describe('a tool name no integrator chose (a peer’s, the model’s)', () => {
  it('passes the value detectors in the record, the span attribute and the span name; a plain name stays', async () => {
    harness = startAudit();
    await auditToolCall({ name: `mail_${EMAIL}`, args: {} }, () => 'ok');
    await auditToolCall({ name: `chart ${SSN}`, args: {} }, () => 'ok');
    await auditToolCall({ name: 'lookup_patient', args: {} }, () => 'ok');
    const spans = await exportedSpans(harness);
    const tools = harness.toolCalls().map((record) => record.tool);
    expect(tools).toEqual(['[REDACTED:email]', 'chart [REDACTED:ssn]', 'lookup_patient']);
    expect(spans.map((span) => span.attributes['gen_ai.tool.name'])).toEqual(tools);
    expect(readable(JSON.stringify(spans.map((span) => [span.name, span.attributes])))).toEqual([]);
  });

  it('redacts gen_ai.tool.name that another instrumentation or the tool sets on a span', async () => {
    harness = startAudit();
    const tracer = trace.getTracer('other-instrumentation');
    const span = tracer.startSpan('execute_tool', {
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `mail_${EMAIL}` },
    });
    span.end();
    await auditTool('chart', async () => {
      trace.getActiveSpan()?.setAttribute('gen_ai.tool.name', `chart ${SSN}`);
      return 'ok';
    })();
    const spans = await exportedSpans(harness);
    expect(readable(JSON.stringify(spans.map((s) => s.attributes)))).toEqual([]);
    expect(readable(JSON.stringify(harness.toolCalls()))).toEqual([]);
  });
});

describe('failures reported while the setup is built', () => {
  it('redacts a trail directory that cannot be created (its path names a person)', async () => {
    const parent = join(tempDir(), 'not-a-directory');
    writeFileSync(parent, '');
    const reported: string[] = [];
    audit = setupToolAudit({
      trail: { dir: join(parent, EMAIL, 'trail') },
      register: false,
      exitHooks: false,
      signingKey: { privateKey: generateSigningKeyPair().privateKeyPem },
      onError: (error) => reported.push(String((error as Error).message)),
    });
    expect(reported.some((message) => message.includes('cannot create the trail directory'))).toBe(true);
    expect(readable(reported.join('\n'))).toEqual([]);
  });
});
