// Builds the native engine addon with cmake-js when the engine sources exist.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
if (!existsSync(path.join(here, 'CMakeLists.txt'))) {
  console.log('native-models: no CMakeLists.txt yet, skipping the native build');
  process.exit(0);
}
const r = spawnSync('npx', ['cmake-js', 'build', '-d', here, '-O', path.join(here, 'build')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
