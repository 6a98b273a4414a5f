import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTrail } from '@tooltrail/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrail } from '../support/framework-harness.js';
import { node24OrSkip, runWithNode24 } from '../support/node24.js';

const fixture = fileURLToPath(new URL('../fixtures/ai7/context-agent.mjs', import.meta.url));
const { skip } = node24OrSkip();
const trailDir = mkdtempSync(join(tmpdir(), 'tooltrail-ai7-context-'));
afterAll(() => rmSync(trailDir, { recursive: true, force: true }));

describe.skipIf(skip)(
  'AI SDK 7 under Node 24: context and calls with their own telemetry integrations',
  () => {
    it('audits every tool call once, and the tool body’s HTTP span is a child of execute_tool', async () => {
      const run = await runWithNode24(fixture, { env: { TOOLTRAIL_DIR: trailDir } });
      expect(run.code, run.stderr).toBe(0);
      const { node, sightings } = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
      expect(node).toMatch(/^v24\./);
      const report = await verifyTrail(trailDir);
      expect(report.problems).toEqual([]);

      const records = readTrail(trailDir).filter((record) => record.type === 'tool_call');
      // global integrations; own integration (replaces the global ones); an empty list; streamText with its own.
      const callIds = ['global-1', 'own-1', 'none-1', 'stream-own-1'];
      expect(records.map((record) => record.call_id).sort()).toEqual([...callIds].sort());
      for (const callId of callIds) {
        const record = records.find((candidate) => candidate.call_id === callId);
        expect(record, callId).toMatchObject({ tool: 'fetch_chart', success: true, model: 'mock-7' });
        expect(sightings[callId], callId).toEqual({
          traceId: record?.trace_id,
          spanId: record?.span_id,
          httpParentSpanId: record?.span_id,
        });
      }
    });
  },
);
