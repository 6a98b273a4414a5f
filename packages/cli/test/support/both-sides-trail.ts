import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Call, writeSealedTrail } from './sealed-trail.js';

const at = (time: string) => `2026-03-02T${time}Z`;
const client = (call: Call): Call => ({ ...call, extra: { mcp_server: 'records', ...call.extra } });
const server = (call: Call): Call => ({ ...call, extra: { mcp_client: 'agent', ...call.extra } });
const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
const T3 = '3'.repeat(32);
const T4 = '4'.repeat(32);
const T5 = '5'.repeat(32);

/**
 * An MCP trail audited on both sides, as MCP auto-instrumentation writes it: chain `agent` (client records, with
 * `mcp_server`) and chain `records` (server records, with `mcp_client`), sealed like the SDK seals them. The trail
 * records have no parent span id, so the two sides of a call share only the trace id, the tool and what they say.
 * Each chain is signed with `TEST_KEY` (genesis checkpoint at seq 0, final checkpoint last); the returned arrays
 * hold every record of a chain, checkpoints included, so `agent[seq]` is the record at `seq`.
 *
 * 6 calls from 9 tool-call records (seq 1.. of each chain; 13 records with the checkpoints), all by dr_a in
 * conversation `conv_mcp`:
 * - T1: `lookup_patient` twice in one trace, concurrently (P-1 then P-2); the server saw P-2 first.
 * - T2: `access_patient_record` P-1 on the client side only: it timed out before reaching the server.
 * - T4: `access_patient_record` P-1, break-the-glass, on both sides.
 * - T5: `summarize`, a plain (non-MCP) tool call.
 * - T3: `update_treatment` P-1 on the server side only (its client is not instrumented).
 */
export function writeBothSidesTrail(dir: string): {
  agent: Array<Record<string, unknown>>;
  records: Array<Record<string, unknown>>;
} {
  const p1 = { subject: 'patient:P-1', conversation: 'conv_mcp' };
  const p2 = { subject: 'patient:P-2', conversation: 'conv_mcp' };
  const emergency = 'unconscious in ER';
  writeSealedTrail(dir, 'agent', [
    client({
      ...p1,
      ts: at('10:00:00.000'),
      tool: 'lookup_patient',
      trace_id: T1,
      span_id: `${'a'.repeat(15)}1`,
      duration_ms: 30,
    }),
    client({
      ...p2,
      ts: at('10:00:00.002'),
      tool: 'lookup_patient',
      trace_id: T1,
      span_id: `${'a'.repeat(15)}2`,
      duration_ms: 30,
    }),
    client({
      ...p1,
      ts: at('10:00:01.000'),
      trace_id: T2,
      span_id: `${'a'.repeat(15)}3`,
      success: false,
      error: 'MCP error -32001: Request timed out',
      duration_ms: 60_000,
      turn: 2,
    }),
    client({
      ...p1,
      ts: at('10:00:02.000'),
      trace_id: T4,
      span_id: `${'a'.repeat(15)}4`,
      duration_ms: 5,
      turn: 3,
      emergency,
    }),
    {
      ts: at('10:00:03.000'),
      tool: 'summarize',
      subject: null,
      conversation: 'conv_mcp',
      trace_id: T5,
      span_id: `${'a'.repeat(15)}5`,
      turn: 3,
    },
  ]);
  writeSealedTrail(dir, 'records', [
    server({
      ...p2,
      ts: at('10:00:00.010'),
      tool: 'lookup_patient',
      trace_id: T1,
      span_id: `${'b'.repeat(15)}2`,
    }),
    server({
      ...p1,
      ts: at('10:00:00.011'),
      tool: 'lookup_patient',
      trace_id: T1,
      span_id: `${'b'.repeat(15)}1`,
    }),
    server({
      ...p1,
      ts: at('10:00:02.001'),
      trace_id: T4,
      span_id: `${'b'.repeat(15)}4`,
      turn: 3,
      emergency,
    }),
    server({
      ...p1,
      ts: at('10:00:04.000'),
      tool: 'update_treatment',
      trace_id: T3,
      span_id: `${'b'.repeat(15)}5`,
      turn: 4,
      extra: { mcp_client: 'curl-agent' },
    }),
  ]);
  const read = (chain: string) =>
    readFileSync(join(dir, `${chain}.000000.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { agent: read('agent'), records: read('records') };
}
