import { defineConfig } from 'tsup';

const common = { sourcemap: true, target: 'node20', splitting: false } as const;

export default defineConfig([
  { ...common, entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, clean: true },
  // `--import` entry: top-level await, so every ESM patch is in place before the app's first import.
  { ...common, entry: { register: 'src/register.ts' }, format: ['esm'] },
  // `-r` entry: CommonJS has no top-level await; CJS patches are applied synchronously.
  { ...common, entry: { register: 'src/register-cjs.ts' }, format: ['cjs'] },
]);
