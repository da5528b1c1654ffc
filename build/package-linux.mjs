// Packages the Linux app without downloads: electron-builder's `dir` and `tar.gz` targets against a
// local unpacked Electron, then a .deb by dpkg-deb (build/make-deb.mjs). This is what the packaging
// test runs and what a machine without GitHub access can build. Networked builds use
// `npm run dist` (docs/packaging.md).
//
//   node build/package-linux.mjs [--electron-dist DIR | --stand-in] [--out DIR]
//        [--targets dir,tar.gz,deb] [--compression store|normal|maximum] [--project DIR]
//
// The unpacked Electron comes from --electron-dist, else $VXD_ELECTRON_DIST; --stand-in builds a
// stand-in (build/stand-in-electron.mjs) whose layout is real but which cannot run.
import { createJiti } from 'jiti';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeDeb } from './make-deb.mjs';
import { createStandInElectron } from './stand-in-electron.mjs';

const buildDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(buildDir, '..');
export const ELECTRON_DIST_ENV = 'VXD_ELECTRON_DIST';
const BUILDER_TARGETS = new Set(['dir', 'tar.gz']);

/**
 * @param {{ projectDir?: string, outDir: string, electronDist?: string, standIn?: boolean,
 *   targets?: string[], compression?: 'store' | 'normal' | 'maximum', arch?: 'x64' | 'arm64' }} options
 * @returns {Promise<{ unpackedDir: string, artifacts: string[], electronDist: string, standIn: boolean }>}
 */
export async function packageLinux(options) {
  const projectDir = path.resolve(options.projectDir ?? repoRoot);
  const outDir = path.resolve(options.outDir);
  const targets = options.targets ?? ['dir', 'tar.gz', 'deb'];
  const compression = options.compression ?? 'normal';
  const arch = options.arch ?? 'x64';
  for (const t of targets) {
    if (!BUILDER_TARGETS.has(t) && t !== 'deb') throw new Error(`unknown target ${t}: use dir, tar.gz or deb`);
  }
  const electronVersion = readJson(path.join(repoRoot, 'node_modules/electron/package.json')).version;
  const { electronDist, standIn } = resolveElectronDist(options, outDir, electronVersion);

  // The builder needs an archiver for tar.gz; Debian's p7zip-full avoids its download.
  if (!process.env.ELECTRON_BUILDER_7ZIP_PATH && existsSync('/usr/bin/7za')) process.env.ELECTRON_BUILDER_7ZIP_PATH = '/usr/bin/7za';

  const { build, Platform, Arch } = await import('electron-builder');
  const builderTargets = targets.filter((t) => BUILDER_TARGETS.has(t));
  if (targets.includes('deb') && !builderTargets.includes('dir')) builderTargets.push('dir');
  const artifacts = await build({
    projectDir,
    targets: Platform.LINUX.createTarget(builderTargets, Arch[arch]),
    publish: 'never',
    config: {
      electronDist,
      electronVersion,
      compression,
      directories: { buildResources: 'build', output: outDir },
    },
  });

  const unpackedDir = path.join(outDir, arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`);
  if (targets.includes('deb')) {
    const config = await loadBuilderConfig();
    const pkg = readJson(path.join(projectDir, 'package.json'));
    artifacts.push(makeDeb({ unpackedDir, outDir, arch, compression, iconsDir: path.join(buildDir, 'icons'), pkg, config }));
  }
  return { unpackedDir, artifacts: artifacts.filter((a) => !a.endsWith('.blockmap')), electronDist, standIn };
}

/** The electron-builder configuration as electron-builder itself reads it (TypeScript via jiti). */
export async function loadBuilderConfig() {
  const jiti = createJiti(import.meta.url);
  /** @type {import('electron-builder').Configuration} */
  const config = await jiti.import(path.join(buildDir, 'electron-builder.config.ts'), { default: true });
  return config;
}

function resolveElectronDist(options, outDir, electronVersion) {
  const given = options.electronDist ?? process.env[ELECTRON_DIST_ENV];
  if (given) {
    const dir = path.resolve(given);
    if (!existsSync(path.join(dir, 'electron'))) throw new Error(`${dir} is not an unpacked Linux Electron: it has no 'electron' executable`);
    return { electronDist: dir, standIn: false };
  }
  if (!options.standIn) {
    throw new Error(`no unpacked Electron: pass --electron-dist DIR or set ${ELECTRON_DIST_ENV} (or --stand-in for a layout-only build)`);
  }
  const dir = path.join(outDir, '.electron-stand-in');
  mkdirSync(dir, { recursive: true });
  return { electronDist: createStandInElectron(dir, electronVersion), standIn: true };
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

async function main() {
  const { values } = parseArgs({
    options: {
      'electron-dist': { type: 'string' },
      'stand-in': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(repoRoot, 'out/installers') },
      targets: { type: 'string', default: 'dir,tar.gz,deb' },
      compression: { type: 'string', default: 'normal' },
      project: { type: 'string' },
      arch: { type: 'string', default: 'x64' },
    },
  });
  if (!['store', 'normal', 'maximum'].includes(values.compression)) throw new Error('--compression must be store, normal or maximum');
  if (!['x64', 'arm64'].includes(values.arch)) throw new Error('--arch must be x64 or arm64');
  const result = await packageLinux({
    projectDir: values.project,
    outDir: values.out,
    electronDist: values['electron-dist'],
    standIn: values['stand-in'],
    targets: values.targets.split(',').map((t) => t.trim()).filter(Boolean),
    compression: /** @type {'store'|'normal'|'maximum'} */ (values.compression),
    arch: /** @type {'x64'|'arm64'} */ (values.arch),
  });
  if (result.standIn) console.warn('note: built against a stand-in Electron; the package layout is real but it cannot run.');
  for (const a of [result.unpackedDir, ...result.artifacts]) console.log(a);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`package-linux: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
