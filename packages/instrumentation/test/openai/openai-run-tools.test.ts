import OpenAI from 'openai';
import { zodFunction } from 'openai/helpers/zod';
import { z } from 'zod';
import { describeOpenAIRunTools } from './openai-run-tools-scenario.js';

// The Node 20 default install (6.x; 7.x runs under Node 24 in openai7-node24.test.ts).
describeOpenAIRunTools({ version: '6.49.0', OpenAI, zodFunction, z });
