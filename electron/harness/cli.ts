// `npm run harness`: the app in your browser, against a real core. Prints the URL to open.
//   node dist/harness/server.cjs [--port N] [--config-dir DIR]

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NativeModelService } from '../core/app/native-model-service';
import { createNativeDictation } from '../core/dictation';
import { bundledPackRunner } from '../core/models/checkpoint-converter';
import { startHarness } from './server';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const configDir = option('--config-dir') ?? (await mkdtemp(path.join(tmpdir(), 'voxtral-harness-')));
  const port = Number(option('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${option('--port')}`);
  const harness = await startHarness({
    rendererDir: path.join(root, 'dist', 'renderer'), configDir, port, models: new NativeModelService(),
    createDictation: (deps) => createNativeDictation(deps), packRunner: bundledPackRunner(),
  });
  console.log(`Voxtral Dictate harness: ${harness.url}\n  settings and history in ${configDir}\n  Ctrl+C to stop`);
  const stop = () => void harness.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`harness: ${(err as Error).message ?? err}`);
  process.exit(1);
});
