import { defineConfig } from 'tsup';

export default defineConfig({
  // `internal` is the `@tooltrail/core/internal` subpath. Splitting (for CJS too) puts the modules both entries
  // share in one chunk, so loading both entries keeps one copy of the module state.
  entry: ['src/index.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
