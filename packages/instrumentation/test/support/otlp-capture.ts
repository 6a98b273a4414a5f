import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP/HTTP receiver on 127.0.0.1 that keeps the raw request bytes per path. */
export async function startOtlpCapture(): Promise<{
  endpoint: string;
  bodies: Map<string, Buffer[]>;
  all: () => Buffer;
  close: () => Promise<void>;
}> {
  const bodies = new Map<string, Buffer[]>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      bodies.set(path, [...(bodies.get(path) ?? []), Buffer.concat(chunks)]);
      response.writeHead(200, {
        'content-type': String(request.headers['content-type'] ?? 'application/json'),
      });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bodies,
    all: () => Buffer.concat([...bodies.values()].flat()),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
