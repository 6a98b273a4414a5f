import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { generateSigningKeyPair, setupToolAudit, type ToolAudit } from '@tooltrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOutbound } from '../../src/mcp/audit-operation.js';

/** Runs `fn` with a valid (non-recording) span context active. */
function withSpan<T>(fn: () => T): T {
  const span = trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 });
  return context.with(trace.setSpan(context.active(), span), fn);
}

import { requestArgs, resultFields } from '../../src/mcp/operation-fields.js';
import { subjectFromUri } from '../../src/mcp/resource-subject.js';

describe('subjectFromUri', () => {
  let audit: ToolAudit;
  beforeAll(() => {
    audit = setupToolAudit({
      trail: { dir: mkdtempSync(join(tmpdir(), 'tooltrail-subject-')), fsync: 'never' },
      signingKey: { privateKey: generateSigningKeyPair().privateKeyPem },
      exitHooks: false,
    });
  });
  afterAll(async () => {
    await audit.shutdown();
  });

  it.each([
    ['patient://P-123/chart', 'patient:P-123'],
    ['PATIENT://P-123', 'patient:P-123'],
    ['ehr://dr:secret@records.example/P-1', 'ehr:records.example'],
    ['file:///records/P-123.json', 'file:/records/P-123.json'],
    ['urn:patient:P-9?x=1#y', 'urn:patient:P-9'],
    ['patient://P%2D7/chart', 'patient:P-7'],
  ])('%s → %s', (uri, subject) => {
    expect(subjectFromUri(uri)).toBe(subject);
  });

  it('hostile params (a throwing getter) do not break the request: it is sent once, unaudited, with one warning', async () => {
    const params = {
      get uri(): string {
        throw new Error('boom');
      },
    };
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const sent: unknown[] = [];
    // Inside a span, so propagation has a traceparent to add and must copy the params.
    const result = withSpan(() =>
      auditOutbound('resources/read', params, { role: 'server', name: 's', sessionId: undefined }, (p) => {
        sent.push(p);
        return 'ok';
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(result).toBe('ok');
    expect(sent).toHaveLength(1);
    expect(warnings.filter((message) => message.includes('could not be described'))).toHaveLength(1);
  });

  it('redacts what the URI carries (an SSN in the path) and names nothing it cannot parse', () => {
    const subject = subjectFromUri('file:///ssn/123-45-6789.txt');
    expect(subject).toMatch(/^file:\/ssn\//);
    expect(subject).not.toContain('123-45-6789');
    expect(subjectFromUri('not a uri')).toBeUndefined();
    expect(subjectFromUri('patient://')).toBeUndefined();
    expect(subjectFromUri(42)).toBeUndefined();
  });
});

describe('MCP operation record fields', () => {
  it('a resource read keeps mime types, sizes and counts, never contents', () => {
    const fields = resultFields('resources/read', {
      contents: [
        { uri: 'a://1', mimeType: 'text/plain', text: 'héllo SECRET' },
        { uri: 'a://2', mimeType: 'image/png', blob: 'AAECAw==' },
        { uri: 'a://3', mimeType: 'text/plain', text: '' },
      ],
    });
    expect(fields).toEqual({
      mcp_result: { contents: 3, mime_types: ['text/plain', 'image/png'], text_bytes: 13, blob_bytes: 4 },
    });
    expect(JSON.stringify(fields)).not.toContain('SECRET');
  });

  it('sampling and elicitation keep identifiers and names, never messages or typed values', () => {
    const sampling = {
      messages: [{ role: 'user', content: { type: 'text', text: 'SECRET question' } }],
      systemPrompt: 'SECRET system',
      modelPreferences: { hints: [{ name: 'claude' }, { other: 1 }] },
      maxTokens: 10,
      includeContext: 'thisServer',
    };
    const elicitation = {
      message: 'SECRET ask',
      requestedSchema: { type: 'object', properties: { dob: { type: 'string' } }, required: ['dob'] },
    };
    const all = [
      requestArgs('sampling/createMessage', sampling),
      resultFields('sampling/createMessage', {
        model: 'm-1',
        role: 'assistant',
        content: [
          { type: 'text', text: 'SECRET answer' },
          { type: 'image', data: 'SECRET' },
        ],
        stopReason: 'maxTokens',
      }),
      requestArgs('elicitation/create', elicitation),
      resultFields('elicitation/create', { action: 'accept', content: { dob: 'SECRET 1970-01-01' } }),
      resultFields('prompts/get', {
        messages: [{ role: 'user', content: { type: 'text', text: 'SECRET' } }],
      }),
    ];
    expect(all[0]).toEqual({
      messages: 1,
      model_hints: ['claude'],
      max_tokens: 10,
      include_context: 'thisServer',
      system_prompt: true,
      tools: 0,
    });
    expect(all[1]).toEqual({
      mcp_result: {
        model: 'm-1',
        stop_reason: 'maxTokens',
        role: 'assistant',
        content_types: ['text', 'image'],
      },
    });
    expect(all[2]).toEqual({ mode: 'form', fields: ['dob'], required: ['dob'] });
    expect(all[3]).toEqual({ mcp_result: { action: 'accept', fields: ['dob'] } });
    expect(JSON.stringify(all)).not.toContain('SECRET');
  });

  it('odd results and requests give empty summaries instead of throwing', () => {
    expect(resultFields('resources/read', null)).toBeUndefined();
    expect(resultFields('resources/read', { contents: 'x' })).toEqual({
      mcp_result: { contents: 0, mime_types: [], text_bytes: 0, blob_bytes: 0 },
    });
    expect(requestArgs('resources/read', { uri: 5 })).toEqual({ uri: null });
    expect(requestArgs('prompts/get', { name: 'p' })).toEqual({});
  });
});
