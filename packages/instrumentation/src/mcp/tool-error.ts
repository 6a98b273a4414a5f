import { MCP_TOOL_ERROR } from './mcp-methods.js';

/** Carries a `CallToolResult` with `isError: true` through the audited call, so the record says it failed. */
export class McpToolError extends Error {
  constructor(readonly result: unknown) {
    super(errorText(result));
    this.name = MCP_TOOL_ERROR;
  }
}

/** Runs the call; an `isError` result is recorded as a failure and still returned unchanged to the caller. */
export async function failOnToolError(call: () => unknown): Promise<unknown> {
  const result = await call();
  if (isErrorResult(result)) throw new McpToolError(result);
  return result;
}

/** Unwraps `McpToolError` back into the result the SDK produced. */
export function unwrapToolError(error: unknown): unknown {
  if (error instanceof McpToolError) return error.result;
  throw error;
}

function isErrorResult(result: unknown): boolean {
  return typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true;
}

function errorText(result: unknown): string {
  const content = (result as { content?: unknown }).content;
  if (!Array.isArray(content)) return 'tool returned isError';
  const texts = content
    .filter((block): block is { text: string } => typeof (block as { text?: unknown })?.text === 'string')
    .map((block) => block.text);
  return texts.join('\n') || 'tool returned isError';
}
