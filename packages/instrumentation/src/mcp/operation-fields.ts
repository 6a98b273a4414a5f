import {
  MCP_METHOD_ELICITATION_CREATE,
  MCP_METHOD_PROMPTS_GET,
  MCP_METHOD_RESOURCES_READ,
  MCP_METHOD_SAMPLING_CREATE_MESSAGE,
} from './mcp-methods.js';

/**
 * What the audit record of an MCP operation other than `tools/call` keeps from its request and result:
 * identifiers, names, counts and sizes. Free text — resource contents, prompt and sampling messages, an
 * elicitation's message and the values a user typed — is never read into a record.
 */

type Params = Record<string, unknown>;

const MAX_NAMES = 32;
const MAX_NAME_LENGTH = 128;

/** The `args` of a record: what was asked for, in identifiers. */
export function requestArgs(method: string, params: Params): unknown {
  switch (method) {
    case MCP_METHOD_PROMPTS_GET:
      // The prompt's arguments, redacted like a tool's (configured subject keys apply to them too).
      return isRecord(params.arguments) ? params.arguments : {};
    case MCP_METHOD_SAMPLING_CREATE_MESSAGE:
      return samplingRequest(params);
    case MCP_METHOD_ELICITATION_CREATE:
      return elicitationRequest(params);
    default:
      return { uri: typeof params.uri === 'string' ? params.uri : null };
  }
}

/** The record's `mcp_result`: what came back, in mime types, sizes, counts and identifiers. */
export function resultFields(method: string, result: unknown): Record<string, unknown> | undefined {
  if (!isRecord(result)) return undefined;
  switch (method) {
    case MCP_METHOD_RESOURCES_READ:
      return { mcp_result: resourceContents(result.contents) };
    case MCP_METHOD_PROMPTS_GET:
      return { mcp_result: promptMessages(result.messages) };
    case MCP_METHOD_SAMPLING_CREATE_MESSAGE:
      return {
        mcp_result: {
          model: name(result.model),
          stop_reason: name(result.stopReason),
          role: name(result.role),
          content_types: contentTypes(result.content),
        },
      };
    case MCP_METHOD_ELICITATION_CREATE:
      return {
        mcp_result: {
          action: name(result.action),
          // Which fields the user filled in, never what they typed.
          fields: isRecord(result.content) ? names(Object.keys(result.content)) : [],
        },
      };
    default:
      return undefined;
  }
}

function samplingRequest(params: Params): Record<string, unknown> {
  const preferences = isRecord(params.modelPreferences) ? params.modelPreferences : {};
  const hints = Array.isArray(preferences.hints) ? preferences.hints : [];
  return {
    messages: Array.isArray(params.messages) ? params.messages.length : 0,
    model_hints: names(hints.map((hint) => (isRecord(hint) ? hint.name : undefined))),
    max_tokens: typeof params.maxTokens === 'number' ? params.maxTokens : null,
    include_context: name(params.includeContext),
    system_prompt: typeof params.systemPrompt === 'string' && params.systemPrompt !== '',
    tools: Array.isArray(params.tools) ? params.tools.length : 0,
  };
}

function elicitationRequest(params: Params): Record<string, unknown> {
  const schema = isRecord(params.requestedSchema) ? params.requestedSchema : {};
  const properties = isRecord(schema.properties) ? Object.keys(schema.properties) : [];
  return {
    mode: name(params.mode) ?? (typeof params.url === 'string' ? 'url' : 'form'),
    fields: names(properties),
    required: Array.isArray(schema.required) ? names(schema.required) : [],
  };
}

function resourceContents(contents: unknown): Record<string, unknown> {
  const items = Array.isArray(contents) ? contents : [];
  let textBytes = 0;
  let blobBytes = 0;
  const mimeTypes = new Set<string>();
  for (const item of items.slice(0, 10_000)) {
    if (!isRecord(item)) continue;
    if (typeof item.mimeType === 'string') mimeTypes.add(item.mimeType);
    if (typeof item.text === 'string') textBytes += Buffer.byteLength(item.text, 'utf8');
    // base64: 4 characters carry 3 bytes.
    if (typeof item.blob === 'string') blobBytes += Math.floor((item.blob.replace(/=+$/, '').length * 3) / 4);
  }
  return {
    contents: items.length,
    mime_types: names([...mimeTypes]),
    text_bytes: textBytes,
    blob_bytes: blobBytes,
  };
}

function promptMessages(messages: unknown): Record<string, unknown> {
  const items = Array.isArray(messages) ? messages : [];
  const roles = new Set<unknown>();
  const types: unknown[] = [];
  for (const item of items.slice(0, 10_000)) {
    if (!isRecord(item)) continue;
    roles.add(item.role);
    types.push(...contentTypes(item.content));
  }
  return { messages: items.length, roles: names([...roles]), content_types: names([...new Set(types)]) };
}

/** The `type` of each content block (`text`, `image`, `resource`, …), never the content. */
function contentTypes(content: unknown): string[] {
  const blocks = Array.isArray(content) ? content : [content];
  return names(blocks.map((block) => (isRecord(block) ? block.type : undefined)));
}

function names(values: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const text = name(value);
    if (text !== null) out.push(text);
    if (out.length >= MAX_NAMES) break;
  }
  return out;
}

function name(value: unknown): string | null {
  return typeof value === 'string' ? value.slice(0, MAX_NAME_LENGTH) : null;
}

function isRecord(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
