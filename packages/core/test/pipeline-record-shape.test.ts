import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SealedRecord } from '../src/chain/hash-chain.js';
import { RetentionPolicy } from '../src/config/retention.js';
import { ErrorHandler } from '../src/internal/error-handler.js';
import { generateSigningKeyPair, loadSigningKey } from '../src/keys/signing-key.js';
import { AuditPipeline, type ToolCallInput } from '../src/pipeline/audit-pipeline.js';
import { RecordFields } from '../src/pipeline/record-fields.js';
import { ResultSummarizer } from '../src/record/result-summary.js';
import { Redactor } from '../src/redaction/redactor.js';
import { LocalTrail } from '../src/sinks/local-trail.js';
import { referenceSealRecord } from './support/canonical-reference.js';
import { tempDir } from './support/make-trail.js';

function pipeline(dir: string): { pipeline: AuditPipeline; fields: RecordFields } {
  const errors = new ErrorHandler(() => {});
  const redactor = new Redactor();
  const fields = new RecordFields({
    redactor,
    summarizer: new ResultSummarizer(redactor),
    retention: new RetentionPolicy(),
    errors,
  });
  const trail = new LocalTrail({
    dir,
    chainId: 'shape',
    fsync: 'never',
    fsyncIntervalMillis: 1000,
    maxFileBytes: 1 << 20,
    errors,
  });
  const { privateKeyPem } = generateSigningKeyPair();
  return {
    fields,
    pipeline: new AuditPipeline({
      chainId: 'shape',
      fields,
      trail,
      signingKey: loadSigningKey({ privateKey: privateKeyPem }),
      checkpointEveryRecords: 1000,
      checkpointEveryMillis: 0,
      errors,
    }),
  };
}

function call(overrides: Partial<ToolCallInput> = {}): ToolCallInput {
  return {
    tool: 'lookup',
    args: { limit: 5, query: 'latest readings' },
    outcome: { ok: true, result: { id: 'obs-1', status: 'ok' } },
    durationMs: 1.5,
    startTimeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    context: {},
    ...overrides,
  };
}

/** The sealed record holds exactly the members of its stored line, and the line is what the reference seals. */
function expectSameAsLine(sealed: SealedRecord, line: string): void {
  expect(sealed.line).toBe(line);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  expect(Object.keys(sealed.record).sort()).toEqual(Object.keys(parsed).sort());
  expect(Object.values(sealed.record)).not.toContain(undefined);
  const { hash: _hash, ...unsealed } = parsed;
  expect(referenceSealRecord(unsealed).line).toBe(line);
}

describe('AuditPipeline record shape', () => {
  it('leaves no undeclared or undefined member on sealed tool call and intent records', () => {
    const dir = tempDir();
    const { pipeline: audit, fields } = pipeline(dir);
    const sealed: SealedRecord[] = [];
    const record = (input: ToolCallInput) => {
      const recorded = audit.recordToolCall(input);
      expect(recorded).toBeDefined();
      sealed.push(recorded!.sealed);
    };
    record(call());
    record(call({ outcome: { ok: false, error: new TypeError('boom') } }));
    record(call({ context: { userId: 'u1', session: { tier: 'gold' }, emergency: { reason: 'er' } } }));
    // Extra fields that clash with the standard and the chain members: the standard ones win.
    record(call({ extra: { hash: 'x', v: 9, seq: -1, args: 'no', tool: 'other', framework: 'f1' } }));
    record(call({ intent: { seq: 1, hash: 'ab'.repeat(32) }, executed: false }));
    const intentFields = fields.attribution(call());
    intentFields.args = { limit: 5 };
    let intentLine = '';
    const intent = audit.appendWith('intent', '2026-01-02T03:04:05.006Z', intentFields, (line) => {
      intentLine = line;
    });
    expectSameAsLine(intent, intentLine);
    audit.checkpoint(true);

    const file = readdirSync(dir).find((name) => name.endsWith('.jsonl'))!;
    const lines = readFileSync(join(dir, file), 'utf8').trimEnd().split('\n');
    const byHash = new Map(lines.map((line) => [(JSON.parse(line) as { hash: string }).hash, line]));
    for (const one of sealed) expectSameAsLine(one, byHash.get(one.record.hash)!);
    const extra = JSON.parse(byHash.get(sealed[3]!.record.hash)!) as Record<string, unknown>;
    expect([extra.v, extra.seq, extra.tool, extra.framework]).toEqual([
      1,
      sealed[3]!.record.seq,
      'lookup',
      'f1',
    ]);
    expect(extra.args).toEqual({ limit: 5, query: 'latest readings' });
  });
});
