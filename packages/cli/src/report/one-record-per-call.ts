import { canonicalize } from '@tooltrail/core/internal';

type AnyRecord = Record<string, unknown>;

/** One tool call: the record that stands for it and, for an MCP call audited on both sides, the server's record. */
export interface ToolCall {
  /** The client side when both sides were audited; otherwise the only record of the call. */
  record: AnyRecord;
  /** The server side's record of the same call (`mcp_client`), when the client side (`mcp_server`) exists too. */
  serverSide?: AnyRecord;
  /** `span`: the server record names the client span as its parent; `match`: same trace and tool (see below). */
  pairing?: 'span' | 'match';
}

/** Beyond this many client × server candidates in one trace and tool, pair in time order without scoring. */
const MAX_CANDIDATES = 10_000;

/** Which side of an MCP call a record was written on, if it is an MCP record. */
export function mcpSide(record: AnyRecord): 'client' | 'server' | undefined {
  if (record.mcp_server !== undefined) return 'client';
  if (record.mcp_client !== undefined) return 'server';
  return undefined;
}

/**
 * An MCP call audited on both sides leaves two records: the client's (with `mcp_server`) and the server's (with
 * `mcp_client`), in the same trace, in two chains. Both stay as evidence; every view counts the call once.
 *
 * Pairing, per trace:
 * 1. exact: a server record whose `parent_span_id` is a client record's `span_id` (the server span is a child
 *    of the client span when `_meta.traceparent` crossed). MCP server records and rows rebuilt from Tempo spans
 *    carry it; for records without it (older records, a caller without trace context):
 * 2. counting: per trace and tool, server records are paired with client records up to the number of client
 *    records. Which server record goes with which client record: equal (redacted) arguments first, then a server
 *    start within the client call, then the nearest start, then record order. A server record whose
 *    `parent_span_id` names no client record here is a call of its own and is never paired by counting.
 * Calls audited on one side only stay; several calls of one tool in one trace are never merged.
 *
 * Returns the calls in the order of their first record in `records`.
 */
export function pairCalls(records: AnyRecord[]): ToolCall[] {
  const clients = new Map<number, ToolCall>();
  const bySpan = new Map<string, number>();
  const groups = new Map<string, { clients: number[]; servers: number[] }>();
  records.forEach((record, index) => {
    const side = mcpSide(record);
    if (side === undefined || typeof record.trace_id !== 'string') return;
    const key = `${record.trace_id} ${String(record.tool)}`;
    const group = groups.get(key) ?? { clients: [], servers: [] };
    groups.set(key, group);
    if (side === 'client') {
      clients.set(index, { record });
      group.clients.push(index);
      if (typeof record.span_id === 'string') bySpan.set(`${record.trace_id} ${record.span_id}`, index);
    } else {
      group.servers.push(index);
    }
  });
  if (clients.size === 0) return records.map((record) => ({ record }));
  const paired = new Set<number>();
  const pair = (client: number, server: number, how: 'span' | 'match') => {
    const call = clients.get(client) as ToolCall;
    call.serverSide = records[server];
    call.pairing = how;
    paired.add(client);
    paired.add(server);
  };
  for (const group of groups.values()) {
    const unmatched: number[] = [];
    for (const server of group.servers) {
      const parent = records[server]?.parent_span_id;
      if (typeof parent !== 'string') {
        unmatched.push(server);
        continue;
      }
      const client = bySpan.get(`${String(records[server]?.trace_id)} ${parent}`);
      if (client !== undefined && !paired.has(client) && group.clients.includes(client))
        pair(client, server, 'span');
    }
    const free = group.clients.filter((client) => !paired.has(client));
    for (const [client, server] of matchByCounting(records, free, unmatched)) pair(client, server, 'match');
  }
  const calls: ToolCall[] = [];
  records.forEach((record, index) => {
    if (clients.has(index)) calls.push(clients.get(index) as ToolCall);
    else if (!paired.has(index)) calls.push({ record });
  });
  return calls;
}

/** One record per call: the client side of each MCP call audited on both sides, every other record as is. */
export function oneRecordPerCall(records: AnyRecord[]): AnyRecord[] {
  return pairCalls(records).map((call) => call.record);
}

/**
 * The call's records, the server side right after the client side (for `--both-sides`).
 */
export function bothSides(calls: ToolCall[]): AnyRecord[] {
  return calls.flatMap((call) => (call.serverSide ? [call.record, call.serverSide] : [call.record]));
}

/**
 * What the call says, for analysis: the standing record, with the subject, user and break-the-glass flag taken
 * from the server side when only it has them (a server can know the patient its tool touched when the client
 * does not). Not a record: never hashed, never printed as one.
 */
export function callFacts(call: ToolCall): AnyRecord {
  const { record, serverSide } = call;
  if (!serverSide) return record;
  const facts: AnyRecord = { ...record };
  for (const field of ['subject', 'user', 'role', 'purpose'])
    if (isBlank(facts[field]) && !isBlank(serverSide[field])) facts[field] = serverSide[field];
  if (record.emergency !== true && serverSide.emergency === true) {
    facts.emergency = true;
    facts.emergency_reason = serverSide.emergency_reason;
  }
  return facts;
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function matchByCounting(
  records: AnyRecord[],
  clients: number[],
  servers: number[],
): Array<[number, number]> {
  if (clients.length === 0 || servers.length === 0) return [];
  if (clients.length * servers.length > MAX_CANDIDATES) {
    const byStart = (a: number, b: number) => startOf(records[a]) - startOf(records[b]) || a - b;
    const c = [...clients].sort(byStart);
    const s = [...servers].sort(byStart);
    return c.slice(0, s.length).map((client, i) => [client, s[i] as number]);
  }
  const args = new Map<number, string | undefined>();
  for (const index of [...clients, ...servers]) args.set(index, argsKey(records[index]));
  const candidates: Array<{ client: number; server: number; score: number[] }> = [];
  for (const client of clients) {
    const c = records[client] as AnyRecord;
    const start = startOf(c);
    const end = start + (typeof c.duration_ms === 'number' ? c.duration_ms : 0);
    for (const server of servers) {
      const s = startOf(records[server]);
      const sameArgs = args.get(client) !== undefined && args.get(client) === args.get(server);
      const inside = Number.isFinite(s) && s >= start - 1 && s <= end + 1;
      const gap = Number.isFinite(s - start) ? Math.abs(s - start) : Number.MAX_VALUE;
      candidates.push({ client, server, score: [sameArgs ? 0 : 1, inside ? 0 : 1, gap, client, server] });
    }
  }
  candidates.sort((a, b) => {
    for (let i = 0; i < a.score.length; i++) {
      const diff = (a.score[i] as number) - (b.score[i] as number);
      if (diff !== 0) return diff;
    }
    return 0;
  });
  const used = new Set<number>();
  const pairs: Array<[number, number]> = [];
  for (const { client, server } of candidates) {
    if (used.has(client) || used.has(server)) continue;
    used.add(client);
    used.add(server);
    pairs.push([client, server]);
  }
  return pairs;
}

function startOf(record: AnyRecord | undefined): number {
  return Date.parse(String(record?.ts));
}

function argsKey(record: AnyRecord | undefined): string | undefined {
  if (record?.args === undefined) return undefined;
  try {
    return canonicalize(record.args);
  } catch {
    return undefined;
  }
}
