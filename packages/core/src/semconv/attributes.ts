/**
 * Attribute names used on tool spans and audit log records: the one place they are spelled. Which record field each
 * carries is in `record-attributes.ts`.
 *
 * The GenAI names are deprecated in `@opentelemetry/semantic-conventions/incubating` (moving to a separate,
 * unreleased package), so, as the OpenTelemetry contrib guidelines advise, they are kept here as local constants.
 */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_USER_ID = 'user.id';
export const ATTR_ENDUSER_ID = 'enduser.id';
/** Attributes of the `exception` span event. */
export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';

export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool';

export const ATTR_TOOLTRAIL_TRIGGER = 'tooltrail.trigger';
export const ATTR_TOOLTRAIL_TURN = 'tooltrail.turn';
export const ATTR_TOOLTRAIL_ROLE = 'tooltrail.role';
export const ATTR_TOOLTRAIL_PURPOSE = 'tooltrail.purpose';
export const ATTR_TOOLTRAIL_SUBJECT = 'tooltrail.subject';
export const ATTR_TOOLTRAIL_RETENTION = 'tooltrail.retention';
export const ATTR_TOOLTRAIL_EMERGENCY = 'tooltrail.emergency';
export const ATTR_TOOLTRAIL_CHAIN_ID = 'tooltrail.chain.id';
export const ATTR_TOOLTRAIL_CHAIN_SEQ = 'tooltrail.chain.seq';
export const ATTR_TOOLTRAIL_CHAIN_HASH = 'tooltrail.chain.hash';

/** Log record attributes (they become Loki structured metadata; the body carries the hashed record). */
export const ATTR_TOOLTRAIL_RECORD_TYPE = 'tooltrail.record.type';
export const ATTR_TOOLTRAIL_CHAIN = 'tooltrail.chain';
export const ATTR_TOOLTRAIL_SEQ = 'tooltrail.seq';

/** Instrumentation scope of the audit log records. */
export const AUDIT_LOG_SCOPE = 'tooltrail.audit';

/** MCP attribute names from the OpenTelemetry MCP semantic conventions (development status), kept local. */
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
/** `mcp.resource.uri`: the resource a `resources/*` request or `notifications/resources/updated` names. */
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
/** `gen_ai.prompt.name`: the prompt a `prompts/get` request asks for (the span's target). */
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
/** The conventions name no attribute for the MCP peer's implementation name: tooltrail keeps it under its prefix. */
export const ATTR_TOOLTRAIL_MCP_SERVER_NAME = 'tooltrail.mcp.server.name';
export const ATTR_TOOLTRAIL_MCP_CLIENT_NAME = 'tooltrail.mcp.client.name';
