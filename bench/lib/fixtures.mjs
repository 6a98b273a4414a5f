// What every scenario calls and exports to: the bench tool, its arguments, no-op exporters, the floor's line.
import * as crypto from 'node:crypto';

/** The typical tool call: a small argument object with an identifier. */
export const TOOL_ARGS = { patientId: 'p-1029', query: 'latest blood pressure readings', limit: 5 };

/** The typical tool: async, returns a small result object at once. */
export const toolFn = async (input) => ({ id: 'obs-77', status: 'ok', count: input.limit });

/** A span exporter that drops everything. */
export const noopSpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

/** A log exporter that drops everything. */
export const noopLogExporter = {
  export: (_records, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

/** A ~700-byte trail line (the size of the bench tool's record), newline included. */
export const FLOOR_LINE = Buffer.from(`{"floor":"${'x'.repeat(686)}"}\n`);

/** Hex SHA-256: crypto.hash (Node >= 20.12) is the one-shot the audited path uses; older Node: createHash. */
export const sha256Hex = crypto.hash
  ? (data) => crypto.hash('sha256', data, 'hex')
  : (data) => crypto.createHash('sha256').update(data).digest('hex');
