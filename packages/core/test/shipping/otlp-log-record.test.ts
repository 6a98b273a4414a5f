import { TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import type { SealedRecord } from '../../src/chain/hash-chain.js';
import { LOG_FIELDS, RECORD_ATTRIBUTES } from '../../src/semconv/record-attributes.js';
import { toAuditLogRecord } from '../../src/shipping/otlp-log-record.js';

const resource = resourceFromAttributes({ 'service.name': 'shipping-test' });

/** A sealed tool call with every field the table maps to a log attribute set (a flag to true). */
function sealedToolCall(overrides: Record<string, unknown> = {}): SealedRecord {
  const record: Record<string, unknown> = {
    v: 1,
    type: 'tool_call',
    chain: 'chain-a',
    seq: 7,
    prev: '0'.repeat(64),
    hash: 'ab'.repeat(32),
    ts: '2026-03-01T12:34:56.789Z',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    tool: 'get_chart',
    success: true,
    user: 'dr_chen',
    conversation: 'conv-7',
    subject: 'patient:P-1',
    retention: 'healthcare',
    emergency: true,
    ...overrides,
  };
  return {
    record: record as SealedRecord['record'],
    line: JSON.stringify(record),
  };
}

describe('toAuditLogRecord', () => {
  it('copies every field the mapping table gives a log attribute, under that name, and nothing else', () => {
    const sealed = sealedToolCall();
    const log = toAuditLogRecord(sealed, resource);
    expect(LOG_FIELDS.length).toBeGreaterThan(0);
    for (const row of LOG_FIELDS) {
      // The fixture sets every mapped field: a new table row without a value here fails.
      expect(sealed.record[row.field], row.field).toBeDefined();
      expect(log.attributes[row.log], row.field).toEqual(sealed.record[row.field]);
    }
    expect(Object.keys(log.attributes).sort()).toEqual(LOG_FIELDS.map((row) => row.log).sort());
  });

  it('carries the canonical line as the body, the record time, the span link and the audit scope', () => {
    const sealed = sealedToolCall();
    const log = toAuditLogRecord(sealed, resource);
    expect(log.body).toBe(sealed.line);
    expect(log.hrTime).toEqual([Math.floor(Date.parse('2026-03-01T12:34:56.789Z') / 1000), 789_000_000]);
    expect(log.spanContext).toEqual({
      traceId: sealed.record.trace_id,
      spanId: sealed.record.span_id,
      traceFlags: TraceFlags.SAMPLED,
    });
    expect(log.eventName).toBe('tooltrail.audit.tool_call');
    expect(log.instrumentationScope.name).toBe('tooltrail.audit');
    expect(log.resource).toBe(resource);
  });

  it('leaves out a flag that is not set and a value of the wrong type', () => {
    const log = toAuditLogRecord(sealedToolCall({ emergency: false, seq: '7', subject: null }), resource);
    expect(log.attributes).not.toHaveProperty(RECORD_ATTRIBUTES.emergency.log);
    expect(log.attributes).not.toHaveProperty(RECORD_ATTRIBUTES.seq.log);
    expect(log.attributes).not.toHaveProperty(RECORD_ATTRIBUTES.subject.log);
    expect(log.attributes[RECORD_ATTRIBUTES.tool.log]).toBe('get_chart');
  });

  it('is ERROR for emergency access, WARN for a failed call, INFO otherwise', () => {
    const severity = (overrides: Record<string, unknown>) =>
      toAuditLogRecord(sealedToolCall(overrides), resource).severityNumber;
    expect(severity({ emergency: true, success: false })).toBe(SeverityNumber.ERROR);
    expect(severity({ emergency: false, success: false })).toBe(SeverityNumber.WARN);
    expect(severity({ emergency: false, success: true })).toBe(SeverityNumber.INFO);
    expect(severity({ type: 'checkpoint', emergency: undefined, success: false })).toBe(SeverityNumber.INFO);
  });

  it('has no span link without trace and span ids', () => {
    const log = toAuditLogRecord(sealedToolCall({ trace_id: undefined, span_id: undefined }), resource);
    expect(log.spanContext).toBeUndefined();
  });
});
