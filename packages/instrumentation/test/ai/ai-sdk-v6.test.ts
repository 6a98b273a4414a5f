import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describeAiSdk6 } from './ai-sdk-v6-scenario.js';

// The newest 6.x release (the range's upper end within 6.x).
describeAiSdk6({ version: '6.0.325', generateText, stepCountIs, tool, MockLanguageModelV3 });
