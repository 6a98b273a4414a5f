import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { createAgent, toolRetryMiddleware } from 'langchain';
import { describeLangChainTools } from './langchain-tools-scenario.js';

// The default install: @langchain/core 1.4.0, with langchain 1.5.14's createAgent.
describeLangChainTools({
  version: '1.4.0',
  tool,
  agent: { AIMessage, HumanMessage, fakeModel, createAgent, toolRetryMiddleware },
});
