import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One audit record as received in an OTLP/HTTP JSON log export. */
export interface CapturedRecord {
  chain: string;
  seq: number;
  type: string;
  line: string;
}

/**
 * A collector stand-in on 127.0.0.1: accepts OTLP/HTTP JSON log exports and keeps the audit records in their
 * bodies. It can answer 503 (an unhealthy collector), and be killed and restarted on the same port.
 */
export class CaptureServer {
  readonly records: CapturedRecord[] = [];
  /** Requests answered with a failure status. */
  refused = 0;
  status = 200;
  private _server: Server | undefined;
  private _port = 0;
  private readonly _refusedWaiters: Array<() => void> = [];

  get url(): string {
    return `http://127.0.0.1:${this._port}`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => this._handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this._port, '127.0.0.1', () => resolve());
    });
    this._server = server;
    this._port = (server.address() as AddressInfo).port;
  }

  /**
   * Stops like a killed process: the port closes and every connection is dropped. A request is stored and
   * answered in one turn of the event loop, so a dropped connection never carries a stored-but-unanswered one.
   */
  async kill(): Promise<void> {
    const server = this._server;
    if (!server) return;
    this._server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Resolves at the next request answered with a failure status. */
  nextRefusal(): Promise<void> {
    return new Promise((resolve) => this._refusedWaiters.push(resolve));
  }

  /** (chain, seq) pairs received more than once. */
  duplicates(): string[] {
    const seen = new Set<string>();
    const twice: string[] = [];
    for (const record of this.records) {
      const key = `${record.chain}#${record.seq}`;
      if (seen.has(key)) twice.push(key);
      seen.add(key);
    }
    return twice;
  }

  forChain(chain: string): CapturedRecord[] {
    return this.records.filter((record) => record.chain === chain);
  }

  private _handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (this.status !== 200) {
        this.refused++;
        response.writeHead(this.status, { 'content-type': 'application/json' });
        response.end('{}');
        for (const waiter of this._refusedWaiters.splice(0)) waiter();
        return;
      }
      try {
        this.records.push(...parseLogs(Buffer.concat(chunks).toString('utf8')));
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end('{}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  }
}

function parseLogs(body: string): CapturedRecord[] {
  const out: CapturedRecord[] = [];
  const parsed = JSON.parse(body) as {
    resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: Array<{ body?: { stringValue?: string } }> }> }>;
  };
  for (const resource of parsed.resourceLogs ?? []) {
    for (const scope of resource.scopeLogs ?? []) {
      for (const log of scope.logRecords ?? []) {
        const line = log.body?.stringValue;
        if (typeof line !== 'string') continue;
        const record = JSON.parse(line) as { chain: string; seq: number; type: string };
        out.push({ chain: record.chain, seq: record.seq, type: record.type, line });
      }
    }
  }
  return out;
}
