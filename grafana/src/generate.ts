import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './render/render-all.js';

// Writes the dashboards, rule files and Grafana alert rules; test/stack checks the committed copies match.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
for (const [path, content] of renderAll()) {
  const target = join(repoRoot, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote ${path}`);
}
