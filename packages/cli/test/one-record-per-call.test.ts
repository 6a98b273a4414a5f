import { describe, expect, it } from 'vitest';
import { oneRecordPerCall } from '../src/report/one-record-per-call.js';

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
});
