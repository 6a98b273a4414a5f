// `node -r @tooltrail/instrumentation/register app.js`: a CommonJS preload cannot await, so every copy is patched
// synchronously here — CommonJS builds with `require`, ES module builds with `require(esm)` — before the app's
// first import. A Node without `require(esm)` patches ES module copies later and says so (use `--import`).
import { startFromEnv } from './start-from-env.js';

void startFromEnv({ synchronous: true });
