/**
 * MCP method names and the `error.type` value the MCP instrumentation uses. Attribute names are `@tooltrail/core`'s,
 * spelled once in its record ↔ telemetry mapping (`@tooltrail/core/internal`).
 */
export const MCP_METHOD_TOOLS_CALL = 'tools/call';
/** `error.type` the MCP conventions give a `tools/call` whose result has `isError: true`. */
export const MCP_TOOL_ERROR = 'tool_error';

export const MCP_METHOD_RESOURCES_READ = 'resources/read';
export const MCP_METHOD_RESOURCES_SUBSCRIBE = 'resources/subscribe';
export const MCP_METHOD_RESOURCES_UNSUBSCRIBE = 'resources/unsubscribe';
export const MCP_METHOD_RESOURCES_UPDATED = 'notifications/resources/updated';
export const MCP_METHOD_PROMPTS_GET = 'prompts/get';
export const MCP_METHOD_SAMPLING_CREATE_MESSAGE = 'sampling/createMessage';
export const MCP_METHOD_ELICITATION_CREATE = 'elicitation/create';
