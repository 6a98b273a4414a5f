/** MCP attribute names from the OpenTelemetry MCP semantic conventions (development status), kept local. */
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
export const MCP_METHOD_TOOLS_CALL = 'tools/call';
/** `error.type` the MCP conventions give a `tools/call` whose result has `isError: true`. */
export const MCP_TOOL_ERROR = 'tool_error';

/** The conventions name no attribute for the peer's implementation name; tooltrail keeps them under its prefix. */
export const ATTR_TOOLTRAIL_MCP_SERVER_NAME = 'tooltrail.mcp.server.name';
export const ATTR_TOOLTRAIL_MCP_CLIENT_NAME = 'tooltrail.mcp.client.name';

export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const GEN_AI_EXECUTE_TOOL = 'execute_tool';

/** `mcp.resource.uri`: the resource a `resources/*` request or `notifications/resources/updated` names. */
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
/** `gen_ai.prompt.name`: the prompt a `prompts/get` request asks for (the span's target). */
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const MCP_METHOD_RESOURCES_READ = 'resources/read';
export const MCP_METHOD_RESOURCES_SUBSCRIBE = 'resources/subscribe';
export const MCP_METHOD_RESOURCES_UNSUBSCRIBE = 'resources/unsubscribe';
export const MCP_METHOD_RESOURCES_UPDATED = 'notifications/resources/updated';
export const MCP_METHOD_PROMPTS_GET = 'prompts/get';
export const MCP_METHOD_SAMPLING_CREATE_MESSAGE = 'sampling/createMessage';
export const MCP_METHOD_ELICITATION_CREATE = 'elicitation/create';
