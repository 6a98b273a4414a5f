import { Buffer } from 'node:buffer';
import { afterEach, describe, expect, it } from 'vitest';
import { MCP_V1_LATEST, MCP_V1_MIN, MCP_V2_LATEST, MCP_V2_MIN, type McpApp } from '../support/mcp-app.js';
import { type McpTransportKind, type OperationsRun, runOperations } from '../support/mcp-operations-app.js';
import {
  spanAttribute as attribute,
  SPAN_KIND_CLIENT,
  SPAN_KIND_SERVER,
  spansOf,
} from '../support/otlp-spans.js';
import { readTrail, verifyPinned } from '../support/trail.js';

type AnyRecord = Record<string, unknown>;

/** Texts only resource contents, prompt messages, sampling and elicitation carry: none may reach a record or span. */
const CANARIES = [
  'RESOURCE-CANARY',
  'PROMPT-CANARY',
  'SAMPLING-CANARY',
  'SYSTEM-CANARY',
  'SAMPLE-REPLY-CANARY',
  'ELICIT-CANARY',
  'Jane Doe',
  '123-45-6789',
];

/** v1 client and v2 client against the v1 server: v2 ships no HTTP+SSE server transport. */
const V1_AND_V2_CLIENT: McpApp = {
  major: 2,
  packages: { ...MCP_V1_LATEST.packages, ...MCP_V2_LATEST.packages },
};

interface Case {
  label: string;
  app: McpApp;
  serverMajor: 1 | 2;
  transport: McpTransportKind;
  /** The SDK has elicitation (1.10.0 does not). */
  elicitation: boolean;
}

const CASES: Case[] = [
  { label: 'v1 1.32.2, stdio', app: MCP_V1_LATEST, serverMajor: 1, transport: 'stdio', elicitation: true },
  { label: 'v2 2.4.0, stdio', app: MCP_V2_LATEST, serverMajor: 2, transport: 'stdio', elicitation: true },
  { label: 'v1 1.10.0, stdio', app: MCP_V1_MIN, serverMajor: 1, transport: 'stdio', elicitation: false },
  { label: 'v2 2.0.0, stdio', app: MCP_V2_MIN, serverMajor: 2, transport: 'stdio', elicitation: true },
  {
    label: 'v1, Streamable HTTP (stateful)',
    app: MCP_V1_LATEST,
    serverMajor: 1,
    transport: 'http',
    elicitation: true,
  },
  {
    label: 'v2, Streamable HTTP (stateful)',
    app: MCP_V2_LATEST,
    serverMajor: 2,
    transport: 'http',
    elicitation: true,
  },
  {
    label: 'v1, Streamable HTTP (stateless)',
    app: MCP_V1_LATEST,
    serverMajor: 1,
    transport: 'http-stateless',
    elicitation: true,
  },
  {
    label: 'v2, Streamable HTTP (stateless)',
    app: MCP_V2_LATEST,
    serverMajor: 2,
    transport: 'http-stateless',
    elicitation: true,
  },
  { label: 'v1, HTTP+SSE', app: MCP_V1_LATEST, serverMajor: 1, transport: 'sse', elicitation: true },
  {
    label: 'v2 client, v1 server, HTTP+SSE',
    app: V1_AND_V2_CLIENT,
    serverMajor: 1,
    transport: 'sse',
    elicitation: true,
  },
];

/** Operations the client starts (the server's record is the child) and those the server starts. */
const FROM_CLIENT = [
  'resources/read',
  'prompts/get',
  'resources/subscribe',
  'tools/call chart_status',
  'tools/call ask_model',
];
const FROM_SERVER = ['notifications/resources/updated', 'sampling/createMessage', 'elicitation/create'];

function expectedOperations(testCase: Case): string[] {
  // Stateless HTTP has no channel for the server's own requests and notifications, and no subscriptions.
  if (testCase.transport === 'http-stateless')
    return ['prompts/get', 'resources/read', 'tools/call chart_status'];
  return [...FROM_CLIENT, ...FROM_SERVER]
    .filter((operation) => testCase.elicitation || operation !== 'elicitation/create')
    .sort();
}

/** `operation`, or `tools/call <tool>` for a tool call (which has none). */
const operationOf = (record: AnyRecord) =>
  record.operation === undefined ? `tools/call ${String(record.tool)}` : String(record.operation);

function byOperation(records: AnyRecord[]): Map<string, AnyRecord> {
  return new Map(records.map((record) => [operationOf(record), record]));
}

describe('MCP operations beyond tools/call, client and server in two processes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.each(CASES.map((testCase) => [testCase.label, testCase] as const))(
    '%s: one record per operation on each side, paired by span, attributed, no content',
    async (_label, testCase) => {
      const run = await runOperations(testCase.app, testCase.serverMajor, testCase.transport, cleanups);
      // The app gets every result unchanged.
      expect(run.outcome.resourceText).toContain('RESOURCE-CANARY');
      expect(run.outcome.promptText).toContain('PROMPT-CANARY');
      expect(run.outcome.statusText).toBe('P-123 chart open');
      const expected = expectedOperations(testCase);
      expect(run.client.map(operationOf).sort()).toEqual(expected);
      expect(run.server.map(operationOf).sort()).toEqual(expected);
      if (testCase.transport !== 'http-stateless') {
        expect(run.outcome.update).toBe('patient://P-123/chart');
        expect(run.outcome.elicited).toBe(testCase.elicitation);
      }
      expectPairedAndAttributed(run, expected, testCase.transport === 'http-stateless');
      expectRecordFields(run, testCase);
      expectSpans(run, expected);
      await expectNoContent(run);
    },
    60_000,
  );
});

function expectPairedAndAttributed(run: OperationsRun, expected: string[], stateless: boolean): void {
  const client = byOperation(run.client);
  const server = byOperation(run.server);
  for (const operation of expected) {
    const [caller, callee] = FROM_SERVER.includes(operation)
      ? [server.get(operation)!, client.get(operation)!]
      : [client.get(operation)!, server.get(operation)!];
    expect(callee.trace_id, operation).toBe(caller.trace_id);
    expect(callee.parent_span_id, operation).toBe(caller.span_id);
    expect(client.get(operation)!.mcp_server, operation).toBe('records-server');
    // A stateless server's fresh instance per request never hears the client's name; the field still says
    // which side wrote the record.
    expect(server.get(operation)!.mcp_client, operation).toBe(stateless ? null : 'fixture-agent');
    // The server process has no audit context of its own: the caller's crossed in _meta, both ways.
    for (const record of [caller, callee])
      expect(record, operation).toMatchObject({
        type: 'tool_call',
        user: 'dr-house',
        role: 'physician',
        conversation: 'conv-1',
        purpose: 'treatment',
        success: true,
      });
  }
}

function expectRecordFields(run: OperationsRun, testCase: Case): void {
  for (const records of [run.client, run.server]) {
    const records_ = byOperation(records);
    expect(records_.get('resources/read')).toMatchObject({
      tool: 'resources/read',
      subject: 'patient:P-123',
      args: { uri: 'patient://P-123/chart' },
      mcp_result: {
        contents: 1,
        mime_types: ['application/json'],
        text_bytes: Buffer.byteLength(run.outcome.resourceText),
        blob_bytes: 0,
      },
    });
    expect(records_.get('prompts/get')).toMatchObject({
      tool: 'patient_summary',
      args: { patient_id: 'P-123', note: 'NOTE [REDACTED:ssn]' },
      mcp_result: { messages: 1, roles: ['user'], content_types: ['text'] },
    });
    if (testCase.transport === 'http-stateless') continue;
    expect(records_.get('resources/subscribe')).toMatchObject({ subject: 'patient:P-123' });
    expect(records_.get('notifications/resources/updated')).toMatchObject({ subject: 'patient:P-123' });
    expect(records_.get('sampling/createMessage')).toMatchObject({
      tool: 'sampling/createMessage',
      args: { messages: 1, model_hints: ['claude-test'], max_tokens: 64, system_prompt: true },
      mcp_result: {
        model: 'claude-test-1',
        stop_reason: 'endTurn',
        role: 'assistant',
        content_types: ['text'],
      },
    });
    if (testCase.elicitation)
      expect(records_.get('elicitation/create')).toMatchObject({
        args: { mode: 'form', fields: ['ssn', 'consent'], required: ['consent'] },
        mcp_result: { action: 'accept', fields: ['ssn', 'consent'] },
      });
  }
}

function expectSpans(run: OperationsRun, expected: string[]): void {
  const clientSpans = spansOf(run.clientOtlp.bodies.get('/v1/traces'));
  const serverSpans = spansOf(run.serverOtlp.bodies.get('/v1/traces'));
  for (const operation of expected.filter((name) => !name.startsWith('tools/call'))) {
    const name = operation === 'prompts/get' ? 'prompts/get patient_summary' : operation;
    const onClient = clientSpans.filter((span) => span.name === name);
    const onServer = serverSpans.filter((span) => span.name === name);
    expect(onClient, name).toHaveLength(1);
    expect(onServer, name).toHaveLength(1);
    const fromServer = FROM_SERVER.includes(operation);
    const [caller, callee] = fromServer ? [onServer[0]!, onClient[0]!] : [onClient[0]!, onServer[0]!];
    expect(caller.kind, name).toBe(SPAN_KIND_CLIENT);
    expect(callee.kind, name).toBe(SPAN_KIND_SERVER);
    expect(callee.parentSpanId, name).toBe(caller.spanId);
    expect(callee.traceId, name).toBe(caller.traceId);
    for (const span of [caller, callee]) {
      expect(attribute(span, 'mcp.method.name'), name).toBe(operation);
      // Not a tool execution: no GenAI tool attributes.
      expect(attribute(span, 'gen_ai.operation.name'), name).toBeUndefined();
      if (operation.includes('resources'))
        expect(attribute(span, 'mcp.resource.uri'), name).toBe('patient://P-123/chart');
      if (operation === 'prompts/get') expect(attribute(span, 'gen_ai.prompt.name')).toBe('patient_summary');
    }
  }
}

async function expectNoContent(run: OperationsRun): Promise<void> {
  const otlp = Buffer.concat([run.clientOtlp.all(), run.serverOtlp.all()]).toString('utf8');
  // The bytes are about these operations...
  expect(otlp).toContain('resources/read');
  expect(otlp).toContain('dr-house');
  for (const dir of [run.clientTrailDir, run.serverTrailDir]) {
    const { text } = readTrail(dir);
    expect(text).toContain('"operation":"resources/read"');
    // ...and carry none of the content.
    for (const canary of CANARIES) expect(text, `${canary} in ${dir}`).not.toContain(canary);
    const report = await verifyPinned(dir);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }
  for (const canary of CANARIES) expect(otlp, canary).not.toContain(canary);
  if (run.sessionId) {
    expect(otlp).not.toContain(run.sessionId);
    for (const dir of [run.clientTrailDir, run.serverTrailDir])
      expect(readTrail(dir).text).not.toContain(run.sessionId);
  }
}
