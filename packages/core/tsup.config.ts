import { defineConfig } from 'tsup';

export default defineConfig({
  // `internal` is the `@tooltrail/core/internal` subpath. Splitting (for CJS too) puts the modules both entries
  // share in one chunk, so loading both entries keeps one copy of the module state.
  // `verify-worker` is the verifier's worker thread, loaded by file name from beside the chunk that starts it.
  entry: {
    index: 'src/index.ts',
    internal: 'src/internal.ts',
    'verify-worker': 'src/verify/verify-worker.ts',
  },
  format: ['esm', 'cjs'],
  splitting: true,
  dts: { entry: { index: 'src/index.ts', internal: 'src/internal.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // `import.meta.url` in the CommonJS build (the verifier finds its worker file beside the chunk).
  shims: true,
});
