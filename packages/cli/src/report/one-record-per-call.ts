/**
 * An MCP call audited on both sides leaves two records: the client's (with `mcp_server`) and the server's (with
 * `mcp_client`), in the same trace. Both stay in their chains as evidence; a report counts the call once.
 * Per trace and tool, server-side records are dropped up to the number of client-side ones, so calls audited
 * on one side only are still counted, and several calls of one tool in one trace are not merged.
 */
export function oneRecordPerCall(records: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const clientCalls = new Map<string, number>();
  for (const record of records) {
    const key = callKey(record, 'mcp_server');
    if (key) clientCalls.set(key, (clientCalls.get(key) ?? 0) + 1);
  }
  if (clientCalls.size === 0) return records;
  return records.filter((record) => {
    const key = callKey(record, 'mcp_client');
    const pending = key ? (clientCalls.get(key) ?? 0) : 0;
    if (!key || pending === 0) return true;
    clientCalls.set(key, pending - 1);
    return false;
  });
}

function callKey(record: Record<string, unknown>, sideField: string): string | undefined {
  if (record[sideField] === undefined || typeof record.trace_id !== 'string') return undefined;
  return `${record.trace_id} ${String(record.tool)}`;
}
