export {
  AI_SDK_SUPPORTED_VERSIONS,
  AiSdkInstrumentation,
  aiInstrumentation,
} from './ai/ai-sdk-instrumentation.js';
export { ToolNotExecutedError } from './ai/record-not-executed.js';
export type { AttributionResolver } from './http/resolve-attribution.js';
export type { TooltrailMiddleware } from './http/tooltrail-middleware.js';
export { tooltrailHook, tooltrailMiddleware } from './http/tooltrail-middleware.js';
export { withTooltrail } from './http/with-tooltrail.js';
export {
  LANGCHAIN_SUPPORTED_VERSIONS,
  LangChainInstrumentation,
  langchainInstrumentation,
} from './langchain/langchain-instrumentation.js';
export { mcpInstrumentation } from './mcp/mcp-instrumentation.js';
export {
  OPENAI_SUPPORTED_VERSIONS,
  OpenAIInstrumentation,
  openaiInstrumentation,
} from './openai/openai-instrumentation.js';
export { AuditTraceProcessor } from './openai-agents/audit-trace-processor.js';
export {
  OPENAI_AGENTS_SUPPORTED_VERSIONS,
  OpenAIAgentsInstrumentation,
  openaiAgentsInstrumentation,
} from './openai-agents/openai-agents-instrumentation.js';
export type { RegisteredInstrumentation } from './register-tool-instrumentations.js';
export { registerToolInstrumentations } from './register-tool-instrumentations.js';
export { INSTRUMENTATIONS } from './registry.js';
export type {
  EnableContext,
  EnableResult,
  FoundPackage,
  InstrumentationName,
  RegisterToolInstrumentationsOptions,
  ToolInstrumentation,
} from './types.js';
