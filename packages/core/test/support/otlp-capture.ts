import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP/HTTP endpoint on 127.0.0.1 that keeps the raw bytes of every request it receives. */
export interface OtlpCapture {
  url: string;
  requests: Array<{ path: string; contentType: string; body: Buffer }>;
  /** All request bodies for a path (`/v1/traces`, `/v1/logs`) concatenated. */
  bytes(path?: string): Buffer;
  /** Answer with this status (e.g. 503 to simulate an outage). */
  status: number;
  close(): Promise<void>;
}

export async function startOtlpCapture(): Promise<OtlpCapture> {
  const capture: Omit<OtlpCapture, 'url' | 'close'> = {
    requests: [],
    status: 200,
    bytes(path) {
      return Buffer.concat(capture.requests.filter((r) => !path || r.path === path).map((r) => r.body));
    },
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (capture.status === 200) {
        capture.requests.push({
          path: request.url ?? '',
          contentType: String(request.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
        });
      }
      const json = String(request.headers['content-type']).includes('json');
      response.writeHead(capture.status, {
        'content-type': json ? 'application/json' : 'application/x-protobuf',
      });
      response.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(capture as OtlpCapture, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
