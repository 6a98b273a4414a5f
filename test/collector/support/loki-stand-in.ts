import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { LokiAcceptance, type LokiRules, lokiRules } from './loki-rules.js';
import { decodeLogsRequest } from './otlp-logs-proto.js';

type Json = Record<string, unknown>;
type KeyValue = { key: string; value: { stringValue?: string } };

/**
 * Stands in for Loki's OTLP endpoint (`POST /otlp/v1/logs`, protobuf, gzip or not) on 127.0.0.1. Loki is AGPL
 * and Docker-only here, so this is a test double: it applies Loki's acceptance rules as stack/loki.yaml
 * configures them (see loki-rules.ts), writes what Loki would store as OTLP JSON lines (the file exporter's
 * format, so capture.ts reads it), and answers like Loki: 204 when every entry is stored, 400 naming the
 * refused entries otherwise (the others are stored, as Loki does; the collector drops a 400 for good).
 * The acceptance state survives stop()/start(), as Loki's WAL keeps its streams across a restart.
 */
export class LokiStandIn {
  readonly acceptance: LokiAcceptance;
  private _server: Server | undefined;

  constructor(rules: LokiRules = lokiRules(), now: () => number = Date.now) {
    this.acceptance = new LokiAcceptance(rules, now);
  }

  /** Listens on 127.0.0.1:port, writing stored entries to `output` (truncated on start). */
  async start(port: number, output: string): Promise<void> {
    writeFileSync(output, '');
    const server = createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/ready') {
        response.writeHead(200).end('ready');
        return;
      }
      if (request.method !== 'POST' || request.url !== '/otlp/v1/logs') {
        response.writeHead(404).end();
        return;
      }
      readBody(request)
        .then((body) => {
          const errors = this._push(body, output);
          if (errors.length === 0) response.writeHead(204).end();
          else response.writeHead(400, { 'content-type': 'text/plain' }).end(errors.join('\n'));
        })
        .catch((error: unknown) => {
          response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._server = server;
  }

  /** Stops listening and drops open connections (a Loki outage). */
  stop(): Promise<void> {
    const server = this._server;
    this._server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private _push(body: Buffer, output: string): string[] {
    const request = decodeLogsRequest(body);
    const errors: string[] = [];
    const stored: Json[] = [];
    for (const rl of request.resourceLogs) {
      const attributes = ((rl.resource as Json).attributes ?? []) as KeyValue[];
      const labels = this.acceptance.rules.streamLabels.map((name) => {
        const found = attributes.find((kv) => kv.key === name)?.value.stringValue;
        return `${name.replace(/\W/g, '_')}="${found ?? ''}"`;
      });
      const stream = `{${labels.join(', ')}}`;
      const scopes: Json[] = [];
      for (const sl of rl.scopeLogs as Json[]) {
        const kept = (sl.logRecords as Json[]).filter((record) => {
          // Loki's line time: the record's timestamp, else its observed timestamp, else the time of the push.
          const time = BigInt((record.timeUnixNano as string | undefined) ?? '0');
          const observed = BigInt((record.observedTimeUnixNano as string | undefined) ?? '0');
          const entryNanos =
            time !== 0n ? time : observed !== 0n ? observed : BigInt(Date.now()) * 1_000_000n;
          const line = String((record.body as Json | undefined)?.stringValue ?? '');
          const verdict = this.acceptance.check(stream, entryNanos, line);
          if (verdict === undefined) return true;
          if (verdict !== 'duplicate')
            errors.push(`entry for stream '${stream}' refused: ${verdict.reason} (${entryNanos} ns)`);
          return false;
        });
        if (kept.length > 0) scopes.push({ ...sl, logRecords: kept });
      }
      if (scopes.length > 0) stored.push({ ...rl, scopeLogs: scopes });
    }
    if (stored.length > 0) appendFileSync(output, `${JSON.stringify({ resourceLogs: stored })}\n`);
    return errors;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = request.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(raw);
  if (encoding && encoding !== 'identity') throw new Error(`unsupported content-encoding ${encoding}`);
  return raw;
}
