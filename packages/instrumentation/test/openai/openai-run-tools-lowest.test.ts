import OpenAI from 'openai-lowest';
import { zodFunction } from 'openai-lowest/helpers/zod';
import { z } from 'zod/v3';
import { appDirWithPackage } from '../support/framework-harness.js';
import { describeOpenAIRunTools } from './openai-run-tools-scenario.js';

// The range's lower end: openai 6.0.0, patched in an application where `openai` resolves to it.
describeOpenAIRunTools({
  version: '6.0.0',
  OpenAI,
  zodFunction,
  z,
  appDir: () => appDirWithPackage('openai', 'openai-lowest'),
} as unknown as Parameters<typeof describeOpenAIRunTools>[0]);
