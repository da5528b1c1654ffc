// Builds everything the app runs from dist/: esbuild bundles the TypeScript that runs in Node or
// Electron (main, preload, CLI, harness), Vite builds the renderer (renderer/vite.config.ts).
// Entries that do not exist yet are skipped.
//   node build/bundle.mjs            all of it
//   node build/bundle.mjs --no-renderer   only the esbuild bundles
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  { in: 'electron/main/main.ts', out: 'dist/main/main.cjs', platform: 'node' },
  // "Make a model": the pack runs in this worker thread (electron/core/models/checkpoint-converter.ts).
  { in: 'electron/core/models/pack-worker.ts', out: 'dist/main/pack-worker.cjs', platform: 'node' },
  { in: 'electron/preload/preload.ts', out: 'dist/preload/preload.cjs', platform: 'node' },
  { in: 'electron/cli/main.ts', out: 'dist/cli/voxtral.cjs', platform: 'node' },
  // A dev tool: its dependencies (ws, esbuild) stay in node_modules.
  { in: 'electron/harness/cli.ts', out: 'dist/harness/server.cjs', platform: 'node', packages: 'external' },
];

// abstract-socket and x11: optional native pieces the D-Bus library requires only for abstract
// bus addresses and X11 address discovery (a missing one fails that connection, which is reported).
const external = ['electron', 'onnxruntime-node', 'uiohook-napi', '*.node', 'abstract-socket', 'x11'];
// Left out of the bundles: see the stub's comment.
const alias = { '@wasm-audio-decoders/opus-ml': path.join(root, 'build/stubs/opus-ml.mjs') };
for (const e of entries) {
  const src = path.join(root, e.in);
  if (!existsSync(src)) continue;
  await build({
    entryPoints: [src],
    outfile: path.join(root, e.out),
    bundle: true,
    platform: e.platform,
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    external,
    alias,
    ...(e.packages ? { packages: e.packages } : {}),
    logLevel: 'warning',
  });
}

if (!process.argv.includes('--no-renderer')) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}
