// `node -r @tooltrail/instrumentation/register app.cjs`: CommonJS copies are patched synchronously here;
// ES module copies are patched as soon as they load, which an ESM app should not rely on (use `--import`).
import { startFromEnv } from './start-from-env.js';

void startFromEnv();
