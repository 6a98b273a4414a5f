import { describe, expect, it } from 'vitest';
import { oneRecordPerCall, pairCalls } from '../src/report/one-record-per-call.js';
import { spanToRecord } from '../src/sources/span-record.js';

const client = (trace: string, tool: string, seq: number) => ({
  trace_id: trace,
  tool,
  seq,
  mcp_server: 'records',
});
const server = (trace: string, tool: string, seq: number) => ({
  trace_id: trace,
  tool,
  seq,
  mcp_client: 'agent',
});

describe('oneRecordPerCall', () => {
  it('counts an MCP call audited on both sides once, keeping the client side', () => {
    const records = [
      client('t1', 'read', 0),
      server('t1', 'read', 0),
      client('t2', 'read', 1),
      server('t2', 'read', 1),
    ];
    expect(oneRecordPerCall(records)).toEqual([client('t1', 'read', 0), client('t2', 'read', 1)]);
  });

  it('keeps calls audited on one side only, and does not merge several calls of a tool in one trace', () => {
    const records = [
      client('t1', 'read', 0),
      client('t1', 'read', 1),
      server('t1', 'read', 0),
      server('t1', 'read', 1),
      server('t1', 'read', 2),
      server('t9', 'read', 3),
      { trace_id: 't1', tool: 'read', seq: 9 },
    ];
    expect(oneRecordPerCall(records).map((record) => record.seq)).toEqual([0, 1, 2, 3, 9]);
  });

  it('pairs exactly by parent span when the records carry it (Tempo spans), over arguments and time', () => {
    const c = (span: string, ts: string) => ({
      trace_id: 't',
      span_id: span,
      tool: 'read',
      ts,
      args: {},
      mcp_server: 'records',
    });
    const s = (span: string, parent: string | undefined, ts: string) => ({
      trace_id: 't',
      span_id: span,
      parent_span_id: parent,
      tool: 'read',
      ts,
      args: {},
      mcp_client: 'agent',
    });
    // Same arguments; the server started c2's call first. Counting alone would pair by nearest start.
    const records = [
      c('c1', '2026-01-01T00:00:00.000Z'),
      c('c2', '2026-01-01T00:00:00.001Z'),
      s('s2', 'c2', '2026-01-01T00:00:00.001Z'),
      s('s1', 'c1', '2026-01-01T00:00:00.002Z'),
      // A server call whose parent is no client record here (an uninstrumented client): its own call.
      s('s3', 'x9', '2026-01-01T00:00:00.000Z'),
    ];
    const calls = pairCalls(records);
    expect(calls.map((call) => [call.record.span_id, call.serverSide?.span_id, call.pairing])).toEqual([
      ['c1', 's1', 'span'],
      ['c2', 's2', 'span'],
      ['s3', undefined, undefined],
    ]);
  });

  it('pairs by arguments, then by a server start inside the client call, without a parent span', () => {
    const c = (seq: number, ts: string, args: unknown, duration_ms = 10) => ({
      trace_id: 't',
      tool: 'read',
      seq,
      ts,
      args,
      duration_ms,
      mcp_server: 'records',
    });
    const s = (seq: number, ts: string, args: unknown) => ({
      trace_id: 't',
      tool: 'read',
      seq,
      ts,
      args,
      mcp_client: 'a',
    });
    const byArgs = pairCalls([
      c(0, '2026-01-01T00:00:00.000Z', { id: 1 }),
      c(1, '2026-01-01T00:00:00.001Z', { id: 2 }),
      s(0, '2026-01-01T00:00:00.002Z', { id: 2 }),
      s(1, '2026-01-01T00:00:00.003Z', { id: 1 }),
    ]);
    expect(byArgs.map((call) => [call.record.seq, call.serverSide?.seq])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    // Same arguments: the server start that falls inside the client call wins over record order.
    const byTime = pairCalls([
      c(0, '2026-01-01T00:00:00.000Z', {}, 5),
      c(1, '2026-01-01T00:00:01.000Z', {}, 5),
      s(0, '2026-01-01T00:00:01.002Z', {}),
    ]);
    expect(byTime.map((call) => [call.record.seq, call.serverSide?.seq])).toEqual([
      [0, undefined],
      [1, 0],
    ]);
  });

  it('reads the parent span and the MCP side from a Tempo span', () => {
    const span = (parent: string | undefined, attribute: string) =>
      spanToRecord({
        traceId: '1'.repeat(32),
        spanId: '2'.repeat(16),
        parentSpanId: parent,
        name: 'execute_tool read',
        startTimeUnixNano: '1767225600000000000',
        endTimeUnixNano: '1767225600001000000',
        attributes: [
          { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
          { key: attribute, value: { stringValue: 'peer' } },
        ],
      });
    expect(span('3'.repeat(16), 'tooltrail.mcp.client.name')).toMatchObject({
      parent_span_id: '3'.repeat(16),
      mcp_client: 'peer',
    });
    const client = span(undefined, 'tooltrail.mcp.server.name');
    expect(client).toMatchObject({ mcp_server: 'peer' });
    expect(client).not.toHaveProperty('parent_span_id');
  });
});
