import { Agent, Runner, setTracingDisabled, tool, Usage, withGenerationSpan } from '@openai/agents';
import { describeOpenAIAgents } from './openai-agents-scenario.js';

// The Node 20 default install (0.14.x; 0.20.0 runs under Node 24 in openai-agents20-node24.test.ts).
describeOpenAIAgents({
  version: '0.14.3',
  Agent,
  Runner,
  setTracingDisabled,
  tool,
  Usage,
  withGenerationSpan,
});
