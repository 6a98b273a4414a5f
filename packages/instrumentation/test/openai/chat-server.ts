/** A scripted chat completions endpoint on 127.0.0.1 (recorded response format) for the runTools tests. */
import { createServer, type Server } from 'node:http';

export type ToolCallScript = { id: string; name: string; arguments: unknown };

/** A chat completion in the API's recorded format: either tool calls or a final text answer. */
function completion(model: string, index: number, toolCalls: ToolCallScript[] | string) {
  const message =
    typeof toolCalls === 'string'
      ? { role: 'assistant', content: toolCalls, refusal: null }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: JSON.stringify(call.arguments) },
          })),
        };
  return {
    id: `chatcmpl-test-${index}`,
    object: 'chat.completion',
    created: 1_790_000_000 + index,
    model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: typeof toolCalls === 'string' ? 'stop' : 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
    system_fingerprint: 'fp_test',
  };
}

/** Serves scripted chat completions on 127.0.0.1 and keeps the request bodies. */
export async function startChatServer(script: Array<ToolCallScript[] | string>) {
  const requests: Array<{ model: string; messages: Array<Record<string, unknown>> }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      requests.push(body);
      const next = script[requests.length - 1] ?? 'out of script';
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completion(body.model, requests.length, next)));
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
