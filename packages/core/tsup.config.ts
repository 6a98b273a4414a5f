import { defineConfig } from 'tsup';

export default defineConfig({
  // `internal` and `verify` are the `@tooltrail/core/internal` and `@tooltrail/core/verify` subpaths. Splitting (for
  // CJS too) puts the modules several entries share in chunks of their own, so loading several entries keeps one
  // copy of the module state, and an entry loads only the modules (and packages) it reaches.
  // `verify-worker` is the verifier's worker thread, loaded by file name from beside the chunk that starts it.
  entry: {
    index: 'src/index.ts',
    internal: 'src/internal.ts',
    verify: 'src/verify.ts',
    'verify-worker': 'src/verify/verify-worker.ts',
  },
  format: ['esm', 'cjs'],
  splitting: true,
  dts: { entry: { index: 'src/index.ts', internal: 'src/internal.ts', verify: 'src/verify.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // `import.meta.url` in the CommonJS build (the verifier finds its worker file beside the chunk).
  shims: true,
});
