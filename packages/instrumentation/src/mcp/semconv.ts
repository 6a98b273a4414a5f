/**
 * Names the MCP instrumentation puts on spans. Attribute names are `@tooltrail/core`'s (spelled once there, with the
 * record field each carries); the MCP method names and the `error.type` value below are this package's own.
 */
export {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  ATTR_TOOLTRAIL_MCP_CLIENT_NAME,
  ATTR_TOOLTRAIL_MCP_SERVER_NAME,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from '@tooltrail/core/internal';

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
