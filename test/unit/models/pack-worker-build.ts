// The "Make a model" worker (electron/core/models/pack-worker.ts) bundled as the app bundles it
// (build/bundle.mjs), so tests run the real worker thread from TypeScript sources.
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

export async function buildPackWorker(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'pack-worker.cjs');
  await build({
    entryPoints: [path.join(root, 'electron', 'core', 'models', 'pack-worker.ts')],
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
  });
  return outfile;
}
