import { generateText, stepCountIs, tool } from 'ai6-min';
import { MockLanguageModelV3 } from 'ai6-min/test';
import { type AiSdk6, describeAiSdk6 } from './ai-sdk-v6-scenario.js';

// The range's lower end: 6.0.111 is the first release whose global telemetry integrations get the tool hooks.
describeAiSdk6({
  version: '6.0.111',
  generateText,
  stepCountIs,
  tool,
  MockLanguageModelV3,
} as unknown as AiSdk6);
