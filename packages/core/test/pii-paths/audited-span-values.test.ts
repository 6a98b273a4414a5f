import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { auditTool, auditToolCall, withAuditContext } from '../../src/index.js';
import { OwnValues } from '../../src/processor/own-values.js';
import { SpanAttributeRedaction } from '../../src/processor/redact-span.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { AuditedSpans } from '../../src/tool/audited-spans.js';
import { type Harness, startAudit } from '../support/audit-harness.js';
import { CANARY, leaksIn } from './canaries.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.audit.shutdown();
  harness = undefined;
});

const exported = (h: Harness) =>
  JSON.stringify(
    h.spans.getFinishedSpans().map((span) => ({
      name: span.name,
      status: span.status,
      attributes: span.attributes,
      events: span.events,
    })),
  );

/** The span attributes of the only exported span. */
const onlySpan = (h: Harness) => {
  const spans = h.spans.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]?.attributes ?? {};
};

describe('the values auditTool puts on its span already redacted', () => {
  it('redacts what the tool sets on its own span, under the keys whose values the runner redacted too', async () => {
    harness = startAudit();
    const lookup = auditTool(
      'lookup',
      async (_args: { id: string }) => {
        const span = trace.getActiveSpan();
        span?.setAttribute('gen_ai.tool.type', CANARY.email);
        span?.setAttribute('gen_ai.tool.description', `call ${CANARY.card}`);
        span?.setAttribute('tooltrail.turn', CANARY.ssn);
        span?.setAttribute('tooltrail.emergency', CANARY.bearer);
        span?.setAttribute('lookup.note', `mail ${CANARY.email}`);
        return { ok: true };
      },
      { description: 'Finds a chart' },
    );
    await withAuditContext({ turn: 2, emergency: { reason: 'code blue' } }, () => lookup({ id: 'x' }));
    const attributes = onlySpan(harness);
    expect(leaksIn(exported(harness))).toEqual([]);
    expect(attributes['gen_ai.tool.type']).toBe('[REDACTED:email]');
    expect(attributes['tooltrail.turn']).toBe('[REDACTED:ssn]');
    expect(attributes['gen_ai.tool.description']).toBe('call [REDACTED:card]');
  });

  it('redacts argument and result attributes the tool sets on a span whose record does not fill them', async () => {
    harness = startAudit();
    // A span other than execute_tool (as the MCP instrumentation starts): the record does not put its arguments
    // and result on it, so what the tool wrote under those keys stays — redacted.
    await auditToolCall(
      { name: 'read_resource', args: { uri: 'file:///a' }, span: { name: 'resources/read' } },
      async () => {
        const span = trace.getActiveSpan();
        span?.setAttribute('gen_ai.tool.call.arguments', JSON.stringify({ email: CANARY.email }));
        span?.setAttribute('gen_ai.tool.call.result', `for ${CANARY.bearer}`);
        return 'ok';
      },
    );
    expect(onlySpan(harness)['gen_ai.tool.call.arguments']).toBeDefined();
    expect(leaksIn(exported(harness))).toEqual([]);
  });

  it('keeps the runner’s own values as redaction leaves them: a description with personal data, a key rule', async () => {
    harness = startAudit({
      redaction: { keys: [{ key: 'tool.type', match: 'suffix', action: 'mask', kind: 'tooltype' }] },
    });
    const lookup = auditTool('lookup', async () => 'ok', { description: `Finds ${CANARY.email}'s chart` });
    await withAuditContext({ turn: 7 }, () => lookup());
    const attributes = onlySpan(harness);
    expect(leaksIn(exported(harness))).toEqual([]);
    expect(attributes['gen_ai.tool.description']).toBe("Finds [REDACTED:email]'s chart");
    expect(attributes['gen_ai.tool.type']).toBe('[REDACTED:tooltype]');
    expect(attributes['tooltrail.turn']).toBe(7);
    expect(JSON.parse(String(attributes['gen_ai.tool.call.result']))).toEqual(harness.toolCalls()[0]?.result);
  });
});

describe('the audit context on the span', () => {
  it('puts each call’s own context on its span, call after call', async () => {
    harness = startAudit();
    const lookup = auditTool('lookup', async () => 'ok');
    await withAuditContext({ userId: 'u-a', turn: 1 }, async () => {
      await lookup();
      await lookup();
    });
    await withAuditContext({ userId: 'u-b', model: 'm-1' }, () => lookup());
    await lookup();
    await auditToolCall({ name: 'lookup', args: {}, context: { model: 'm-2' } }, async () => 'ok');
    const spans = harness.spans.getFinishedSpans().map((span) => span.attributes);
    expect(spans.map((span) => span['user.id'])).toEqual(['u-a', 'u-a', 'u-b', undefined, undefined]);
    expect(spans.map((span) => span['tooltrail.turn'])).toEqual([1, 1, undefined, undefined, undefined]);
    expect(spans.map((span) => span['gen_ai.request.model'])).toEqual([
      undefined,
      undefined,
      'm-1',
      undefined,
      'm-2',
    ]);
  });
});

describe('the processor remembers the key sequences of audited spans', () => {
  it('redacts a value the tool sets under an own key on a later call, after clean calls of the same keys', async () => {
    harness = startAudit();
    const plan = ['', CANARY.email, '', `call ${CANARY.card}`, ''];
    let call = 0;
    const lookup = auditTool(
      'lookup',
      async () => {
        const value = plan[call++];
        if (value) trace.getActiveSpan()?.setAttribute('gen_ai.tool.type', value);
        return 'ok';
      },
      { description: 'Finds a chart' },
    );
    for (let i = 0; i < plan.length; i++) await lookup();
    const spans = harness.spans.getFinishedSpans().map((span) => span.attributes);
    expect(leaksIn(exported(harness))).toEqual([]);
    expect(spans.map((span) => span['gen_ai.tool.type'])).toEqual([
      'function',
      '[REDACTED:email]',
      'function',
      'call [REDACTED:card]',
      'function',
    ]);
  });

  it('redacts an attribute added to a span whose other keys it has seen, before or after them', async () => {
    harness = startAudit();
    const plan: Array<[string, string] | undefined> = [
      undefined,
      ['lookup.note', `mail ${CANARY.email}`],
      undefined,
      ['a.first', CANARY.ssn],
      undefined,
    ];
    let call = 0;
    const lookup = auditTool('lookup', async () => {
      const extra = plan[call++];
      if (extra) trace.getActiveSpan()?.setAttribute(extra[0], extra[1]);
      return 'ok';
    });
    for (let i = 0; i < plan.length; i++) await lookup();
    expect(leaksIn(exported(harness))).toEqual([]);
    const spans = harness.spans.getFinishedSpans().map((span) => span.attributes);
    expect(spans[1]?.['lookup.note']).toBe('mail [REDACTED:email]');
    expect(spans[3]?.['a.first']).toBe('[REDACTED:ssn]');
  });
});

describe('SpanAttributeRedaction', () => {
  it('judges a remembered key sequence by the values held, not by the keys alone', () => {
    const attributes = new SpanAttributeRedaction(new Redactor(), new Set(['gen_ai.tool.name']));
    const own = new OwnValues();
    own.type = 'function';
    const clean = () => ({ 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.type': 'function' });
    for (let i = 0; i < 3; i++) {
      const held = clean();
      attributes.redact(held, own);
      expect(held).toEqual(clean());
    }
    const changed = { 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.type': CANARY.email };
    attributes.redact(changed, own);
    expect(changed['gen_ai.tool.type']).toBe('[REDACTED:email]');
    // The same keys in another order, and one key more: judged again, key by key.
    const reordered = { 'gen_ai.tool.type': 'function', 'gen_ai.tool.name': 'lookup', note: CANARY.email };
    attributes.redact(reordered, own);
    expect(reordered).toEqual({
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.name': 'lookup',
      note: '[REDACTED:email]',
    });
    // Without the runner's values, nothing but the kept key is left as it is.
    const other = clean();
    attributes.redact(other, undefined);
    expect(other).toEqual(clean());
  });
});

describe('AuditedSpans', () => {
  it('lets the span the runner announced be claimed once, by its name only', () => {
    const spans = new AuditedSpans();
    const own = new OwnValues();
    spans.expect('execute_tool lookup', own);
    expect(spans.claim({ name: 'other' })).toBeUndefined();
    const span = { name: 'execute_tool lookup' };
    expect(spans.claim(span)).toBe(own);
    expect(spans.claim({ name: 'execute_tool lookup' })).toBeUndefined();
    expect(spans.own(span)).toBe(own);
    expect(spans.own({ name: 'execute_tool lookup' })).toBeUndefined();
    // Cleared once started: a later span of the same name is not the runner's.
    spans.expect('execute_tool lookup', own);
    spans.expect(undefined, undefined);
    expect(spans.claim({ name: 'execute_tool lookup' })).toBeUndefined();
  });

  it('remembers spans that cannot take a property, and leaves no enumerable trace', () => {
    const spans = new AuditedSpans();
    const own = new OwnValues();
    const frozen = Object.freeze({ name: 'a' });
    const open = { name: 'b' };
    spans.add(frozen, own).add(open, own);
    expect(spans.own(frozen)).toBe(own);
    expect(spans.own(open)).toBe(own);
    expect(Object.keys(open)).toEqual(['name']);
    expect(new AuditedSpans().own(open)).toBeUndefined();
  });
});

describe('OwnValues', () => {
  it('holds a value only while the attributes hold that very value under its key', () => {
    const own = new OwnValues();
    own.type = 'function';
    own.args = '{"a":1}';
    expect(own.heldIn({ 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.arguments': '{"a":1}' })).toBe(
      1 | 16,
    );
    expect(
      own.heldIn({ 'gen_ai.tool.type': 'carol@example.net', 'gen_ai.tool.call.arguments': '{"a":1}' }),
    ).toBe(16);
    expect(own.heldIn({ 'gen_ai.tool.description': 'function' })).toBe(0);
    // A key the runner put nothing under holds nothing, whatever its value.
    expect(new OwnValues().heldIn({ 'gen_ai.tool.type': undefined as unknown as string })).toBe(0);
  });
});
