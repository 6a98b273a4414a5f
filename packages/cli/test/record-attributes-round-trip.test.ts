import { type Attributes, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { auditToolCall, type SetupToolAuditOptions, withAuditContext } from '../../core/src/index.js';
import { RECORD_ATTRIBUTES, RECORD_FIELDS } from '../../core/src/semconv/record-attributes.js';
import { type Harness, startAudit } from '../../core/test/support/audit-harness.js';
import { LokiSource } from '../src/sources/loki-source.js';
import { type OtlpAttribute, type OtlpSpan, spanToRecord } from '../src/sources/span-record.js';

type ReadableSpan = ReturnType<Harness['spans']['getFinishedSpans']>[number];

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.audit.shutdown();
  harness = undefined;
});

/** A span as an OTLP exporter sends it and Tempo returns it (OTLP JSON, ids in hex). */
function toOtlp(span: ReadableSpan): OtlpSpan {
  const nanos = ([seconds, nanoseconds]: [number, number]) =>
    BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds);
  const attributes: OtlpAttribute[] = Object.entries(span.attributes).map(([key, value]) =>
    typeof value === 'number'
      ? { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }
      : typeof value === 'boolean'
        ? { key, value: { boolValue: value } }
        : { key, value: { stringValue: String(value) } },
  );
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    startTimeUnixNano: nanos(span.startTime).toString(),
    endTimeUnixNano: nanos(span.endTime).toString(),
    attributes,
    status: { code: span.status.code, message: span.status.message },
  };
}

type LogExporter = NonNullable<SetupToolAuditOptions['logExporter']>;
type LogRecord = Parameters<LogExporter['export']>[0][number];
const logs: LogRecord[] = [];

/** An exporter that keeps the log records it acknowledges. */
function memoryLogExporter(): LogExporter {
  return {
    export(records, done) {
      logs.push(...records);
      done({ code: 0 });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
}

/** Runs one audited call with every table field set, inside a caller's span; returns its record and its span. */
async function auditedCall(fail: boolean): Promise<{ record: Record<string, unknown>; span: OtlpSpan }> {
  harness = harness ?? startAudit({ logExporter: memoryLogExporter() });
  const mcp: Attributes = {
    [RECORD_ATTRIBUTES.mcp_server.span]: 'records-server',
    [RECORD_ATTRIBUTES.mcp_client.span]: 'assistant-client',
  };
  const context = {
    userId: 'dr_chen',
    userRole: 'physician',
    conversationId: 'conv-7',
    turn: 3,
    model: 'model-x',
    purpose: 'treatment',
    emergency: { reason: 'cardiac arrest' },
  };
  await withAuditContext(context, () =>
    trace.getTracer('round-trip').startActiveSpan('caller', (caller) =>
      auditToolCall(
        {
          name: 'get_chart',
          args: { patient: 'P-1', fields: ['allergies'] },
          callId: 'call-1',
          subject: 'patient:P-1',
          trigger: 'proactive',
          attributes: mcp,
          extra: {
            mcp_server: 'records-server',
            mcp_client: 'assistant-client',
            parent_span_id: caller.spanContext().spanId,
          },
        },
        async () => {
          if (fail) throw new RangeError('chart locked');
          return { allergies: ['penicillin'] };
        },
      )
        .catch(() => undefined)
        .finally(() => caller.end()),
    ),
  );
  const records = harness.toolCalls();
  const spans = harness.spans.getFinishedSpans().filter((span) => span.name === 'execute_tool get_chart');
  return { record: records.at(-1) as Record<string, unknown>, span: toOtlp(spans.at(-1) as ReadableSpan) };
}

describe('the record ↔ span attribute table', () => {
  it.each([
    ['a successful call', false],
    ['a failed call', true],
  ])(
    '%s: every field of the table survives record → span attributes → spanToRecord',
    async (_label, fail) => {
      const { record, span } = await auditedCall(fail);
      const rebuilt = spanToRecord(span);
      expect(rebuilt).toBeDefined();
      for (const { field } of RECORD_FIELDS) {
        // Every row is exercised: the call sets each field, optional ones included.
        expect(record[field], field).not.toBeUndefined();
        if (field === 'ts') {
          expect(
            Math.abs(Date.parse(String(rebuilt?.ts)) - Date.parse(String(record.ts))),
            field,
          ).toBeLessThan(50);
        } else if (field === 'duration_ms') {
          expect(Math.abs(Number(rebuilt?.duration_ms) - Number(record.duration_ms)), field).toBeLessThan(50);
        } else {
          expect(rebuilt?.[field], field).toEqual(record[field]);
        }
      }
      // The view holds the table's fields and nothing else, in the record's order.
      expect(Object.keys(rebuilt ?? {})).toEqual(RECORD_FIELDS.map(({ field }) => field));
      expect(record.success).toBe(!fail);
    },
  );

  it('every log attribute of the table carries its record field', async () => {
    const { record } = await auditedCall(false);
    await harness?.audit.forceFlush();
    const log = logs.find((entry) => String(entry.body).includes(String(record.hash)));
    expect(log).toBeDefined();
    const rows = RECORD_FIELDS.filter((row) => row.log !== undefined);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(log?.attributes[row.log as string], row.field).toEqual(record[row.field]);
    expect(Object.keys(log?.attributes ?? {}).sort()).toEqual(rows.map((row) => row.log).sort());
  });

  it('reads user.id before enduser.id, as the span-to-record path of core does', async () => {
    const { record, span } = await auditedCall(false);
    const attributes = (span.attributes ?? []).map((attribute) =>
      attribute.key === RECORD_ATTRIBUTES.user.spanAlias
        ? { ...attribute, value: { stringValue: 'someone_else' } }
        : attribute,
    );
    expect(record.user).toBe('dr_chen');
    expect(spanToRecord({ ...span, attributes })?.user).toBe('dr_chen');
  });

  it("names the log attributes as Loki's structured metadata in the LogQL push-down", () => {
    const source = new LokiSource('loki+http://127.0.0.1:1', { selector: '{app="a"}' });
    expect(
      source.logql({
        toolCallsOnly: true,
        conversation: 'c-1',
        user: 'u-1',
        tool: 'get_chart',
        subject: 'P-1',
      }),
    ).toBe(
      '{app="a"} | tooltrail_chain!="" | tooltrail_record_type="tool_call" | gen_ai_conversation_id="c-1" | user_id="u-1" | gen_ai_tool_name="get_chart" | tooltrail_subject=~".*:P-1"',
    );
  });
});
