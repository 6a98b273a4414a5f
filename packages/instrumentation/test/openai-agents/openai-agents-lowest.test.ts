import { Agent, Runner, setTracingDisabled, tool, Usage, withGenerationSpan } from 'openai-agents-lowest';
import { appDirWithPackage } from '../support/framework-harness.js';
import { describeOpenAIAgents } from './openai-agents-scenario.js';

// The range's lower end: @openai/agents 0.14.0, registered in an application where it resolves to that install.
describeOpenAIAgents({
  version: '0.14.0',
  Agent,
  Runner,
  setTracingDisabled,
  tool,
  Usage,
  withGenerationSpan,
  appDir: () => appDirWithPackage('@openai/agents', 'openai-agents-lowest'),
} as unknown as Parameters<typeof describeOpenAIAgents>[0]);
