/** OTLP JSON attribute as Tempo returns it. */
export interface OtlpAttribute {
  key: string;
  value?: {
    stringValue?: string;
    intValue?: string | number;
    boolValue?: boolean;
    doubleValue?: number;
  };
}

export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpAttribute[];
  status?: { code?: string | number; message?: string };
}

/** Tempo returns ids as hex or (protobuf JSON) base64: always hex out. */
export function hexId(id: string | undefined): string | null {
  if (!id) return null;
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function attributeMap(attributes: OtlpAttribute[] = []): Map<string, string | number | boolean> {
  const map = new Map<string, string | number | boolean>();
  for (const { key, value } of attributes) {
    if (!value) continue;
    if (value.stringValue !== undefined) map.set(key, value.stringValue);
    else if (value.intValue !== undefined) map.set(key, Number(value.intValue));
    else if (value.boolValue !== undefined) map.set(key, value.boolValue);
    else if (value.doubleValue !== undefined) map.set(key, value.doubleValue);
  }
  return map;
}

function json(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Rebuilds a tool-call row from an `execute_tool` span: the same field names as the audit record so timeline,
 * query and stats work unchanged. It has no `prev`/`hash` of its own: it is a view, not evidence.
 */
export function spanToRecord(span: OtlpSpan): Record<string, unknown> | undefined {
  const attributes = attributeMap(span.attributes);
  if (attributes.get('gen_ai.operation.name') !== 'execute_tool') return undefined;
  const start = BigInt(span.startTimeUnixNano ?? 0);
  const end = BigInt(span.endTimeUnixNano ?? span.startTimeUnixNano ?? 0);
  const failed = span.status?.code === 2 || span.status?.code === 'STATUS_CODE_ERROR';
  const text = (key: string) => {
    const value = attributes.get(key);
    return value === undefined ? null : String(value);
  };
  const turn = attributes.get('tooltrail.turn');
  const seq = attributes.get('tooltrail.chain.seq');
  return {
    type: 'tool_call',
    chain: text('tooltrail.chain.id'),
    seq: typeof seq === 'number' ? seq : null,
    hash: text('tooltrail.chain.hash'),
    ts: new Date(Number(start / 1_000_000n)).toISOString(),
    trace_id: hexId(span.traceId),
    span_id: hexId(span.spanId),
    tool: text('gen_ai.tool.name') ?? span.name?.replace(/^execute_tool /, '') ?? null,
    call_id: text('gen_ai.tool.call.id'),
    args: json(attributes.get('gen_ai.tool.call.arguments')),
    result: json(attributes.get('gen_ai.tool.call.result')),
    success: !failed,
    error: failed ? { type: text('error.type') ?? 'error', message: span.status?.message ?? '' } : null,
    duration_ms: Number(end - start) / 1e6,
    user: text('enduser.id') ?? text('user.id'),
    role: text('tooltrail.role'),
    conversation: text('gen_ai.conversation.id'),
    turn: typeof turn === 'number' ? turn : null,
    model: text('gen_ai.request.model'),
    trigger: text('tooltrail.trigger'),
    purpose: text('tooltrail.purpose'),
    subject: text('tooltrail.subject'),
    retention: text('tooltrail.retention'),
    ...(attributes.get('tooltrail.emergency') === true ? { emergency: true } : {}),
    // MCP side and parent span: what pairs the two sides of an MCP call exactly (the server span's parent is
    // the client span when the trace context crossed in params._meta).
    ...(span.parentSpanId ? { parent_span_id: hexId(span.parentSpanId) } : {}),
    ...(text('tooltrail.mcp.server.name') !== null ? { mcp_server: text('tooltrail.mcp.server.name') } : {}),
    ...(text('tooltrail.mcp.client.name') !== null ? { mcp_client: text('tooltrail.mcp.client.name') } : {}),
  };
}
