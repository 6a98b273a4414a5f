import { describe, expect, it } from 'vitest';
import { MCP_V1_LATEST, MCP_V1_TOO_OLD } from '../support/mcp-app.js';
import { runAgent } from '../support/run-agent.js';

describe('MCP instrumentation outside its supported range', () => {
  it('leaves @modelcontextprotocol/sdk 1.9.0 alone and says so once', async () => {
    const run = await runAgent(MCP_V1_TOO_OLD, 'esm');
    // The agent works as before: same results, no records, one log line.
    expect(run.results.map((result) => result.isError === true)).toEqual([false, true]);
    expect(run.results[0]?.content?.[0]?.text).toContain('Jane Doe');
    expect(run.records).toEqual([]);
    const lines = run.stderr.split('\n').filter((line) => line.includes('outside the supported range'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('@modelcontextprotocol/sdk@1.9.0 is outside the supported range >=1.10.0 <2');
  });

  it('TOOLTRAIL_INSTRUMENTATIONS without mcp leaves a supported SDK alone', async () => {
    const run = await runAgent(MCP_V1_LATEST, 'esm', { TOOLTRAIL_INSTRUMENTATIONS: 'ai' });
    expect(run.results).toHaveLength(2);
    expect(run.records).toEqual([]);
  });
});
