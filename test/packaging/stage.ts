// Shared steps of the packaging tests: stage a project to pack, run build/package-linux.mjs, and
// load native modules from the result in a separate Node process.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const ENGINE_DIR = 'native-models/build/Release';
export const VAD_DIR = 'native-models/vad';
export const DEMO_MODEL_DIR = 'native-models/models/demo';

/** Files of a directory, relative and '/'-separated; [] when it does not exist. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(path.join(dir, e.name), rel) : [rel];
  });
}

/**
 * A project with the real package.json, node_modules and build/ config, an app build, and files
 * that must not ship (sources, source maps). The build is a copy of `distDir` when given (a
 * snapshot, so a concurrent rebuild cannot change it mid-check), else a minimal fake one.
 * `engineDir` is copied to ENGINE_DIR.
 */
export function stageProject(dir: string, options: { engineDir?: string; distDir?: string } = {}): string {
  mkdirSync(dir, { recursive: true });
  // With the lockfile, electron-builder resolves the production dependency tree as in the checkout.
  for (const file of ['package.json', 'package-lock.json']) cpSync(path.join(repoRoot, file), path.join(dir, file));
  copyProductionDependencies(dir);
  symlinkSync(path.join(repoRoot, 'build'), path.join(dir, 'build'));
  const fakeBuild: Record<string, string> = {
    'dist/main/main.cjs': "'use strict'; // stand-in main\n",
    'dist/main/main.cjs.map': '{}',
    'dist/preload/preload.cjs': "'use strict'; // stand-in preload\n",
    'dist/renderer/index.html': '<!doctype html><title>Voxtral Dictate</title>\n',
    'dist/renderer/assets/index.js': 'console.log(1);\n',
    'dist/cli/voxtral.cjs': "exports.runCli = async () => { process.stdout.write('usage: voxtral <command> [options]\\n'); return 0; };\n",
  };
  if (options.distDir) cpSync(options.distDir, path.join(dir, 'dist'), { recursive: true });
  const files = { ...(options.distDir ? {} : fakeBuild), 'electron/main/main.ts': '// sources must not ship\n' };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  if (options.engineDir && existsSync(options.engineDir)) {
    cpSync(options.engineDir, path.join(dir, ENGINE_DIR), { recursive: true });
  }
  // Data the app ships beside the engine (the VAD model), as the checkout has it.
  if (existsSync(path.join(repoRoot, VAD_DIR))) cpSync(path.join(repoRoot, VAD_DIR), path.join(dir, VAD_DIR), { recursive: true });
  if (existsSync(path.join(repoRoot, DEMO_MODEL_DIR))) cpSync(path.join(repoRoot, DEMO_MODEL_DIR), path.join(dir, DEMO_MODEL_DIR), { recursive: true });
  return dir;
}

/**
 * Copies the checkout's production dependency tree (as npm lists it) into `dir`/node_modules, as
 * hard links where the file system allows. A symlinked node_modules would not do: npm then
 * misreads the tree and electron-builder silently drops transitive dependencies.
 */
function copyProductionDependencies(dir: string): void {
  const listed = spawnSync('npm', ['ls', '--omit', 'dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8' });
  const packages = listed.stdout
    .split('\n')
    .map((p) => path.relative(repoRoot, p.trim()))
    .filter((p) => p.startsWith('node_modules'))
    .sort();
  if (packages.length === 0) throw new Error(`npm ls listed no production dependencies: ${listed.stderr}`);
  // Nested packages come with their parent folder.
  const tops = packages.filter((p, i) => !packages.slice(0, i).some((q) => p.startsWith(`${q}/`)));
  for (const rel of tops) {
    const dest = path.join(dir, rel);
    mkdirSync(path.dirname(dest), { recursive: true });
    const linked = spawnSync('cp', ['-al', path.join(repoRoot, rel), dest]);
    if (linked.status !== 0) execFileSync('cp', ['-a', path.join(repoRoot, rel), dest]);
  }
}

export interface PackResult {
  unpackedDir: string;
  artifacts: string[];
}

/** Runs build/package-linux.mjs with the Electron from $VXD_ELECTRON_DIST, else a stand-in. */
export function packLinux(projectDir: string, outDir: string, targets: string[]): PackResult {
  const electronArgs = process.env.VXD_ELECTRON_DIST ? [] : ['--stand-in'];
  // "store" keeps 7za and dpkg-deb fast; the layout is the same at any compression.
  const args = [path.join(repoRoot, 'build/package-linux.mjs'), ...electronArgs, '--project', projectDir, '--out', outDir];
  const stdout = execFileSync(process.execPath, [...args, '--compression', 'store', '--targets', targets.join(',')], {
    encoding: 'utf8',
    timeout: 170_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [unpackedDir, ...artifacts] = stdout.trim().split('\n');
  return { unpackedDir, artifacts };
}

/** Requires a native module in a separate Node process (a crash there cannot take the test down)
 * and returns its export names. */
export function loadInNode(file: string): { ok: boolean; exports: string[]; output: string } {
  const script = 'const m = require(process.argv[1]); console.log(JSON.stringify(Object.keys(m)));';
  const r = spawnSync(process.execPath, ['-e', script, file], { encoding: 'utf8', timeout: 30_000 });
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) return { ok: false, exports: [], output };
  return { ok: true, exports: JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '[]'), output };
}

/**
 * What makes one build of a native module valid for every Electron version: it registers through
 * Node-API (napi_register_module_v1) and imports no V8 or Node C++ symbols, whose ABI changes with
 * each Electron release.
 */
export function nodeApiLinkage(file: string): { registersNodeApi: boolean; abiBoundImports: string[] } {
  const symbols = (args: string[]) => execFileSync('nm', ['-D', ...args, file], { encoding: 'utf8' }).split('\n');
  const defined = symbols(['--defined-only']).map((l) => l.trim().split(/\s+/).at(-1));
  const undefinedNames = symbols(['--undefined-only']).map((l) => l.trim().split(/\s+/).at(-1) ?? '');
  return {
    registersNodeApi: defined.includes('napi_register_module_v1'),
    abiBoundImports: undefinedNames.filter((n) => /^_ZN(2v8|4node)|^node_module_register$/.test(n)),
  };
}

/** A property list as a plain object, parsed by Python's plistlib (a real plist parser). */
export function readPlist(file: string): Record<string, unknown> {
  const script = 'import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

const FUSE_SENTINEL = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX', 'latin1');

/** The fuse states in an Electron binary, by fuse index: '1' on, '0' off, 'r' removed. */
export function readFuseWire(binary: string): string[] {
  const data = readFileSync(binary);
  const at = data.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error(`${binary} has no Electron fuse wire`);
  const version = data[at + FUSE_SENTINEL.length];
  const length = data[at + FUSE_SENTINEL.length + 1];
  if (version !== 1) throw new Error(`${binary}: fuse wire version ${version}, expected 1`);
  const start = at + FUSE_SENTINEL.length + 2;
  return [...data.subarray(start, start + length).toString('latin1')];
}

/** What a fuse configuration asks for, in readFuseWire's terms (only the fuses it sets). */
export function configuredFuseStates(config: Record<string, unknown>): Record<number, string> {
  return Object.fromEntries(
    Object.entries(config)
      .filter(([key, value]) => /^\d+$/.test(key) && typeof value === 'boolean')
      .map(([key, value]) => [Number(key), value ? '1' : '0']),
  );
}
