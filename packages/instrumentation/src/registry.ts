import { aiInstrumentation } from './ai/ai-sdk-instrumentation.js';
import { langchainInstrumentation } from './langchain/langchain-instrumentation.js';
import { mcpInstrumentation } from './mcp/mcp-instrumentation.js';
import { openaiInstrumentation } from './openai/openai-instrumentation.js';
import { openaiAgentsInstrumentation } from './openai-agents/openai-agents-instrumentation.js';
import type { ToolInstrumentation } from './types.js';

/** Every instrumentation tooltrail ships, in the order they are enabled. */
export const INSTRUMENTATIONS: readonly ToolInstrumentation[] = [
  mcpInstrumentation,
  aiInstrumentation,
  openaiInstrumentation,
  langchainInstrumentation,
  openaiAgentsInstrumentation,
];
