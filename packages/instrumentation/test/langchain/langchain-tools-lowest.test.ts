import { tool } from 'langchain-core-lowest/tools';
import { appDirWithPackage } from '../support/framework-harness.js';
import { describeLangChainTools } from './langchain-tools-scenario.js';

// The range's lower end: @langchain/core 1.0.0, in an application where `@langchain/core` resolves to it. No
// `langchain` agent here: every @langchain/langgraph 1.x (which createAgent runs on) declares the peer
// @langchain/core ^1.0.1, and the releases a fresh install resolves fail to load against 1.0.0. The tool calls
// are made as langchain's ToolNode and toolRetryMiddleware make them.
describeLangChainTools({
  version: '1.0.0',
  tool,
  appDir: () => appDirWithPackage('@langchain/core', 'langchain-core-lowest'),
} as unknown as Parameters<typeof describeLangChainTools>[0]);
