import { SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { auditTool, auditToolCall, withAuditContext } from '../src/index.js';
import { type Harness, startAudit } from './support/audit-harness.js';
import { verifyPinned } from './support/verify-pinned.js';

class ToolError extends Error {
  override name = 'ToolError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.audit.shutdown();
  harness = undefined;
});

describe('auditTool preserves behaviour', () => {
  it('returns the same value from a sync tool, with this and every argument passed through', () => {
    harness = startAudit();
    const target = {
      factor: 3,
      multiply: auditTool('multiply', function (this: { factor: number }, a: number, b: number) {
        return a * b * this.factor;
      }),
    };
    expect(target.multiply(2, 5)).toBe(30);
    expect(target.multiply.length).toBe(2);
    const [record] = harness.toolCalls();
    expect(record).toMatchObject({ tool: 'multiply', args: [2, 5], success: true, result: { value: 30 } });
  });

  it('resolves an async tool to the very same object', async () => {
    harness = startAudit();
    const value = { order_id: 'ORD-1', items: [1, 2, 3] };
    const get = auditTool('get_order', async (_id: string) => value);
    await expect(get('ORD-1')).resolves.toBe(value);
  });

  it('rethrows the very same error object, sync and async, and records the failure', async () => {
    harness = startAudit();
    const syncError = new ToolError('card declined', 402);
    const asyncError = new ToolError('gateway down', 503);
    const syncTool = auditTool('charge', () => {
      throw syncError;
    });
    const asyncTool = auditTool('refund', async () => {
      throw asyncError;
    });
    let caught: unknown;
    try {
      syncTool();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(syncError);
    await expect(asyncTool()).rejects.toBe(asyncError);
    const records = harness.toolCalls();
    expect(records.map((r) => [r.tool, r.success, r.error])).toEqual([
      ['charge', false, { type: 'ToolError', message: 'card declined' }],
      ['refund', false, { type: 'ToolError', message: 'gateway down' }],
    ]);
  });

  it('passes non-Error throws and non-promise thenables through unchanged', async () => {
    harness = startAudit();
    const thrower = auditTool('throws_string', () => {
      throw 'plain string';
    });
    expect(() => thrower()).toThrow('plain string');
    // biome-ignore lint/suspicious/noThenProperty: the test needs a non-promise thenable.
    const thenable = { then: (resolve: (value: number) => void) => resolve(42) };
    const tool = auditTool('thenable', () => thenable);
    await expect(tool()).resolves.toBe(42);
    expect(harness.toolCalls().map((r) => r.success)).toEqual([false, true]);
  });

  it('runs the tool unaudited (and does not throw) when the option extractors throw', async () => {
    harness = startAudit();
    const tool = auditTool('lookup', async (args: { id: string }) => args.id, {
      subject: () => {
        throw new Error('bad extractor');
      },
    });
    await expect(tool({ id: 'x' })).resolves.toBe('x');
    expect(harness.toolCalls()[0]).toMatchObject({ tool: 'lookup', subject: null, success: true });
  });
});

describe('auditTool spans and records', () => {
  it('emits an execute_tool span per the GenAI conventions with attribution and chain attributes', async () => {
    harness = startAudit();
    const read = auditTool(
      'access_patient_record',
      async (args: { patient_id: string }) => ({ patient_id: args.patient_id }),
      {
        subject: (args) => `patient:${args.patient_id}`,
        callId: 'call_abc',
        description: 'Open a chart',
      },
    );
    await withAuditContext(
      {
        userId: 'dr_chen',
        userRole: 'physician',
        conversationId: 'conv_9',
        turn: 4,
        model: 'gpt-x',
        purpose: 'treatment',
      },
      () => read({ patient_id: 'P-1' }),
    );
    const [span] = harness.spans.getFinishedSpans();
    expect(span?.name).toBe('execute_tool access_patient_record');
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'access_patient_record',
      'gen_ai.tool.call.id': 'call_abc',
      'gen_ai.tool.type': 'function',
      'gen_ai.conversation.id': 'conv_9',
      'user.id': 'dr_chen',
      'enduser.id': 'dr_chen',
      'tooltrail.role': 'physician',
      'tooltrail.turn': 4,
      'tooltrail.purpose': 'treatment',
      'tooltrail.subject': 'patient:P-1',
      'tooltrail.retention': 'healthcare',
      'tooltrail.trigger': 'user_request',
      // seq 0 is the chain's signed genesis checkpoint: the first call is seq 1.
      'tooltrail.chain.seq': 1,
      'gen_ai.tool.call.arguments': '{"patient_id":"P-1"}',
    });
    const [record] = harness.toolCalls();
    expect(record).toMatchObject({
      v: 1,
      type: 'tool_call',
      seq: 1,
      tool: 'access_patient_record',
      call_id: 'call_abc',
      user: 'dr_chen',
      role: 'physician',
      conversation: 'conv_9',
      turn: 4,
      model: 'gpt-x',
      purpose: 'treatment',
      subject: 'patient:P-1',
      retention: 'healthcare',
      trace_id: span?.spanContext().traceId,
      span_id: span?.spanContext().spanId,
    });
    expect(span?.attributes['tooltrail.chain.hash']).toBe(record?.hash);
    expect(typeof record?.duration_ms).toBe('number');
    expect(record?.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('marks a failed call ERROR with error.type and a redacted exception event', () => {
    harness = startAudit();
    const tool = auditTool('update_treatment', () => {
      throw new TypeError('patient SSN 123-45-6789 is locked');
    });
    expect(() => tool()).toThrow(TypeError);
    const [span] = harness.spans.getFinishedSpans();
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'patient SSN [REDACTED:ssn] is locked',
    });
    expect(span?.attributes['error.type']).toBe('TypeError');
    expect(span?.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([
      ['exception', 'patient SSN [REDACTED:ssn] is locked'],
    ]);
  });

  it('nests withAuditContext field by field and lets a tool override the trigger', async () => {
    harness = startAudit();
    const tool = auditTool('ping', async () => 'pong');
    const retry = auditTool('ping_retry', async () => 'pong', { trigger: 'retry' });
    await withAuditContext({ userId: 'u1', conversationId: 'c1', turn: 1 }, async () => {
      await withAuditContext({ turn: 2, trigger: 'proactive' }, async () => {
        await tool();
        await retry();
      });
      await tool();
    });
    expect(harness.toolCalls().map((r) => [r.user, r.conversation, r.turn, r.trigger])).toEqual([
      ['u1', 'c1', 2, 'proactive'],
      ['u1', 'c1', 2, 'retry'],
      ['u1', 'c1', 1, 'user_request'],
    ]);
  });

  it('marks break-the-glass records as emergency with the reason', async () => {
    harness = startAudit();
    const read = auditTool('access_patient_record', async () => ({ ok: true }));
    await withAuditContext({ userId: 'dr_er', emergency: { reason: 'unconscious patient' } }, () => read());
    expect(harness.toolCalls()[0]).toMatchObject({
      emergency: true,
      emergency_reason: 'unconscious patient',
    });
    expect(harness.spans.getFinishedSpans()[0]?.attributes['tooltrail.emergency']).toBe(true);
  });

  it('records execute_tool spans of other instrumentations through the span processor', async () => {
    harness = startAudit();
    await withAuditContext({ userId: 'u7', conversationId: 'c7' }, async () => {
      const span = trace.getTracer('other-framework').startSpan('execute_tool search', {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'search',
          'gen_ai.tool.call.id': 'call_1',
          'gen_ai.tool.call.arguments': JSON.stringify({ query: 'x', password: 'hunter2' }),
          'gen_ai.tool.call.result': JSON.stringify({ id: 'R-1', body: 'long text' }),
        },
      });
      span.end();
    });
    const [record] = harness.toolCalls();
    expect(record).toMatchObject({
      tool: 'search',
      call_id: 'call_1',
      user: 'u7',
      conversation: 'c7',
      args: { query: 'x', password: '[REDACTED:password]' },
      result: { id: 'R-1', success: true },
    });
    const [span] = harness.spans.getFinishedSpans();
    expect(span?.attributes['gen_ai.tool.call.arguments']).toBe(
      '{"query":"x","password":"[REDACTED:password]"}',
    );
  });

  it('records auditToolCall with the framework context winning over the audit context', async () => {
    harness = startAudit();
    const value = await withAuditContext({ userId: 'u1', model: 'from-context', conversationId: 'c1' }, () =>
      auditToolCall(
        {
          name: 'mcp_tool',
          args: { a: 1 },
          callId: 'tc_1',
          context: { model: 'from-framework' },
          attributes: { 'mcp.method.name': 'tools/call' },
        },
        async () => 'done',
      ),
    );
    expect(value).toBe('done');
    expect(harness.toolCalls()[0]).toMatchObject({
      tool: 'mcp_tool',
      model: 'from-framework',
      user: 'u1',
      call_id: 'tc_1',
    });
    expect(harness.spans.getFinishedSpans()[0]?.attributes['mcp.method.name']).toBe('tools/call');
  });

  it('chains every record so the trail verifies, with a final checkpoint at shutdown', async () => {
    harness = startAudit({ checkpoints: { everyRecords: 3 } });
    const tool = auditTool('t', async (i: number) => i);
    for (let i = 0; i < 7; i++) await tool(i);
    await harness.audit.shutdown();
    const records = harness.records();
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
    // The genesis at seq 0, then 7 calls, every 3 records: checkpoints at seq 4 and 8, the final one at seq 10.
    expect(
      records.filter((r) => r.type === 'checkpoint').map((r) => [r.seq, r.genesis === true, r.final]),
    ).toEqual([
      [0, true, false],
      [4, false, false],
      [8, false, false],
      [10, false, true],
    ]);
    expect(records[0]).toMatchObject({ every_records: 3, every_millis: expect.any(Number) });
    const report = await verifyPinned(harness.dir);
    expect(report.ok).toBe(true);
    expect(report.chains[0]?.final).toBe(true);
  });
});

describe('subjects from arguments', () => {
  it('derives the subject from configured argument keys when the tool gives none', async () => {
    harness = startAudit({ subjectKeys: { patient_id: 'patient', customer_id: 'customer' } });
    const read = auditTool('read_chart', async (_args: unknown) => 'ok');
    const explicit = auditTool('read_chart', async (_args: unknown) => 'ok', {
      subject: () => 'patient:EXPLICIT',
    });
    await read({ patient_id: 'P-7' });
    await read({ customer_id: 42 });
    await read({ other: 'x' });
    await explicit({ patient_id: 'P-7' });
    expect(harness.toolCalls().map((record) => record.subject)).toEqual([
      'patient:P-7',
      'customer:42',
      null,
      'patient:EXPLICIT',
    ]);
  });
});

describe('arguments as they were when the tool was called', () => {
  it('records the arguments redacted before the tool ran, whatever the tool then does to them', async () => {
    harness = startAudit();
    const update = auditTool('update', async (input: { email: string; tags: string[]; note?: string }) => {
      input.email = 'changed@example.org';
      await new Promise((resolve) => setTimeout(resolve, 1));
      input.tags.push('added-by-tool');
      input.note = 'written by the tool';
      return 'ok';
    });
    const mutate = auditTool('mutate', (list: number[]) => {
      list.length = 0;
      return list.length;
    });
    await update({ email: 'jane.roe@example.com', tags: ['a'] });
    expect(mutate([1, 2, 3])).toBe(0);
    const [first, second] = harness.toolCalls();
    expect(first?.args).toEqual({ email: '[REDACTED:email]', tags: ['a'] });
    expect(second?.args).toEqual([1, 2, 3]);
    // The span carries the record's argument text.
    const spans = harness.spans.getFinishedSpans();
    expect(spans[0]?.attributes['gen_ai.tool.call.arguments']).toBe(
      '{"email":"[REDACTED:email]","tags":["a"]}',
    );
  });
});
