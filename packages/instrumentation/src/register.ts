// `node --import @tooltrail/instrumentation/register app.mjs`: hooks are in place before the app's first import.
import { startFromEnv } from './start-from-env.js';

await startFromEnv();
