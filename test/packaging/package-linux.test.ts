// Packs the app the way an offline Linux machine can (build/package-linux.mjs: electron-builder
// `dir` + `tar.gz`, then dpkg-deb) and checks the result's layout.
//
// Electron: the unpacked Electron in $VXD_ELECTRON_DIST when set, else a stand-in the builder only
// copies. App: a staged project with the real package.json, node_modules, build/ config and native
// engine build, and a snapshot of the real dist/ once `npm run build` has produced dist/main (else
// a minimal fake build), plus a source file that must not ship.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPSTREAM_METAINFO, INSTALL_ONLY_DEPENDENCIES } from '../../build/electron-builder.config';
import { extractAsar, openAsar, type AsarArchive } from './asar';
import { FuseV1Options } from '@electron/fuses';
import { fusesFor } from '../../build/fuses';
import { configuredFuseStates, DEMO_MODEL_DIR, ENGINE_DIR, VAD_DIR, listFiles, loadInNode, nodeApiLinkage, packLinux, readFuseWire, repoRoot, stageProject } from './stage';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const executable = 'voxtral-dictate';
const productName = 'Voxtral Dictate';
const realDist = existsSync(path.join(repoRoot, 'dist/main/main.cjs'));

let work: string;
let projectDir: string;
let unpackedDir: string;
let asar: AsarArchive;
let artifacts: string[];

/** The engine's build output that was staged: the addon, any backend libraries and the paste offer helpers beside it. */
function engineBuild(): { addons: string[]; backendLibs: string[]; helpers: string[] } {
  const files = listFiles(path.join(projectDir, ENGINE_DIR)).filter((f) => !f.includes('/'));
  return {
    addons: files.filter((f) => f.endsWith('.node')),
    backendLibs: files.filter((f) => /\.(so(\.\d+)*|dylib|dll)$/.test(f)),
    helpers: files.filter((f) => f === 'vxd-x11-offer' || f === 'vxd-wl-offer'),
  };
}

function unpackedPath(asarPath: string): string {
  return path.join(unpackedDir, 'resources/app.asar.unpacked', asarPath);
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vxd-packaging-'));
  projectDir = stageProject(path.join(work, 'project'), {
    engineDir: path.join(repoRoot, ENGINE_DIR),
    distDir: realDist ? path.join(repoRoot, 'dist') : undefined,
  });
  ({ unpackedDir, artifacts } = packLinux(projectDir, path.join(work, 'out'), ['dir', 'tar.gz', 'deb']));
  asar = openAsar(path.join(unpackedDir, 'resources/app.asar'));
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe(`Linux package (${realDist ? 'real dist/' : 'staged fake build'}, ${process.env.VXD_ELECTRON_DIST ? 'real Electron' : 'stand-in Electron'})`, () => {
  it('is an unpacked app with the executable, the asar and the icons', () => {
    expect(path.basename(unpackedDir)).toBe('linux-unpacked');
    const exe = path.join(unpackedDir, executable);
    expect(statSync(exe).mode & 0o111, 'executable bit').not.toBe(0);
    expect(existsSync(path.join(unpackedDir, 'resources/default_app.asar'))).toBe(false);
    const icons = readdirSync(path.join(unpackedDir, 'resources/icons')).sort();
    expect(icons).toEqual(readdirSync(path.join(repoRoot, 'build/icons')).filter((f) => f.endsWith('.png')).sort());
  });

  it('has the Linux fuses flipped in the executable', () => {
    const wire = readFuseWire(path.join(unpackedDir, executable));
    const expected = configuredFuseStates(fusesFor('linux'));
    expect(Object.keys(expected).length).toBeGreaterThan(4);
    for (const [index, state] of Object.entries(expected)) expect(wire[Number(index)], `fuse ${index}`).toBe(state);
    expect(wire[FuseV1Options.RunAsNode], 'RunAsNode stays on for the CLI launcher').toBe('1');
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe('1');
  });

  it('carries complete package metadata inside the asar', () => {
    const shipped = JSON.parse(asar.read('package.json').toString('utf8'));
    expect(shipped.name).toBe(pkg.name);
    expect(shipped.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(shipped.description.length).toBeGreaterThan(10);
    expect(shipped.author.name.length).toBeGreaterThan(0);
    expect(shipped.author.email).toMatch(/@/);
    expect(shipped.homepage).toMatch(/^https:\/\//);
    expect(shipped.license).toBe(pkg.license);
    expect(asar.entries.map((e) => e.path), 'package.json "main" is in the asar').toContain(path.posix.normalize(shipped.main));
  });

  it('contains the built main, preload and renderer, without source maps or sources', () => {
    const paths = new Set(asar.entries.map((e) => e.path));
    for (const part of ['main', 'preload', 'renderer']) {
      const built = listFiles(path.join(projectDir, 'dist', part)).filter((f) => !f.endsWith('.map'));
      const mustExist = part !== 'renderer' || existsSync(path.join(repoRoot, 'renderer/index.html')) || !realDist;
      if (mustExist) expect(built.length, `dist/${part} is built (npm run build)`).toBeGreaterThan(0);
      for (const f of built) {
        const entry = asar.entries.find((e) => e.path === `dist/${part}/${f}`);
        expect(entry, `dist/${part}/${f}`).toBeDefined();
        expect(entry?.size).toBe(statSync(path.join(projectDir, 'dist', part, f)).size);
      }
    }
    expect([...paths].filter((p) => p.endsWith('.map'))).toEqual([]);
    const topLevel = new Set([...paths].map((p) => p.split('/')[0]));
    for (const name of topLevel) expect(['package.json', 'dist', 'node_modules', 'native-models'], name).toContain(name);
  });

  it('ships runtime dependencies only, with this platform’s native binaries unpacked', () => {
    const modules = new Set(asar.entries.filter((e) => e.path.startsWith('node_modules/')).map((e) => e.path.split('/')[1]));
    // Dev tools, and what the bundles already hold (React, the audio decoders).
    for (const dev of ['electron', 'electron-builder', 'vite', 'vitest', 'typescript', 'esbuild', 'react', 'react-dom', 'mpg123-decoder', '@wasm-audio-decoders']) {
      expect(modules.has(dev), dev).toBe(false);
    }
    expect(modules.has('onnxruntime-node')).toBe(true);
    expect(modules.has('uiohook-napi')).toBe(true);
    const natives = asar.entries.filter((e) => /\.(node|so(\.\d+)*|dylib|dll)$/.test(e.path));
    expect(natives.length).toBeGreaterThan(0);
    for (const n of natives) {
      expect(n.unpacked, `${n.path} is unpacked`).toBe(true);
      expect(statSync(unpackedPath(n.path)).size, n.path).toBe(n.size);
      expect(n.path, 'only linux-x64 binaries').not.toMatch(/darwin|win32|arm64|loong64/);
    }
  });

  it('resolves every runtime dependency of every shipped package inside the package', () => {
    const paths = new Set(asar.entries.map((e) => e.path));
    const manifests = asar.entries.filter((e) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(e.path));
    expect(manifests.length).toBeGreaterThan(0);
    const unresolved: string[] = [];
    for (const manifest of manifests) {
      const packageDir = path.posix.dirname(manifest.path);
      const read = manifest.unpacked ? readFileSync(unpackedPath(manifest.path)) : asar.read(manifest.path);
      const deps = Object.keys(JSON.parse(read.toString('utf8')).dependencies ?? {});
      for (const dep of deps.filter((d) => !INSTALL_ONLY_DEPENDENCIES.includes(d))) {
        // Node's lookup: node_modules/<dep> in the package's own folder, then in each ancestor.
        let found = false;
        for (let dir = packageDir; !found; dir = path.posix.dirname(dir)) {
          found = paths.has(path.posix.join(dir, 'node_modules', dep, 'package.json'));
          if (dir === '.' || dir === '') break;
        }
        if (!found) unresolved.push(`${packageDir} → ${dep}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('can load onnxruntime’s binding from app.asar.unpacked with its shared library beside it', () => {
    const binding = asar.entries.find((e) => e.path.endsWith('linux/x64/onnxruntime_binding.node'));
    expect(binding).toBeDefined();
    const loaded = loadInNode(unpackedPath(binding!.path));
    expect(loaded.ok, loaded.output).toBe(true);
  });

  it('ships the native engine unpacked and loadable, with every backend library built beside it', () => {
    const built = engineBuild();
    // CI builds the engine on npm install (native-models/build.mjs) whenever its sources exist.
    if (existsSync(path.join(repoRoot, 'native-models/CMakeLists.txt'))) {
      expect(built.addons, 'the engine addon is built (npm run build:native)').toContain('vxd_addon.node');
    }
    const shippedEngine = asar.entries.filter((e) => e.path.startsWith(`${ENGINE_DIR}/`)).map((e) => e.path.slice(ENGINE_DIR.length + 1));
    expect(shippedEngine.sort()).toEqual([...built.addons, ...built.backendLibs, ...built.helpers].sort());
    for (const helper of built.helpers) {
      const run = spawnSync(unpackedPath(`${ENGINE_DIR}/${helper}`), ['-no-such-option'], { encoding: 'utf8', input: '' });
      expect(run.status, `${helper} runs from app.asar.unpacked`).toBe(2);
    }
    for (const addon of built.addons) {
      const loaded = loadInNode(unpackedPath(`${ENGINE_DIR}/${addon}`));
      expect(loaded.ok, `${addon}: ${loaded.output}`).toBe(true);
      expect(loaded.exports.length, `${addon} exports`).toBeGreaterThan(0);
      expect(nodeApiLinkage(unpackedPath(`${ENGINE_DIR}/${addon}`)), `${addon} is Node-API only`).toEqual({
        registersNodeApi: true,
        abiBoundImports: [],
      });
    }
  });

  it('ships the voice-activity model unpacked where the VAD looks for it, with its licence', () => {
    const shippedVad = asar.entries.filter((e) => e.path.startsWith(`${VAD_DIR}/`));
    const inCheckout = listFiles(path.join(repoRoot, VAD_DIR)).filter((f) => f.endsWith('.onnx'));
    expect(inCheckout.length, `${VAD_DIR} has the Silero model`).toBeGreaterThan(0);
    for (const model of inCheckout) {
      const entry = shippedVad.find((e) => e.path === `${VAD_DIR}/${model}`);
      expect(entry?.unpacked, model).toBe(true);
      const shipped = readFileSync(unpackedPath(`${VAD_DIR}/${model}`));
      expect(shipped.equals(readFileSync(path.join(repoRoot, VAD_DIR, model))), `${model} is byte-identical`).toBe(true);
    }
    expect(shippedVad.some((e) => /LICENSE/.test(e.path))).toBe(true);
    expect(shippedVad.some((e) => e.path.endsWith('README.md'))).toBe(false);
  });

  it('ships the embedded demo model unpacked (the engine maps it by path), byte-identical', () => {
    for (const file of ['model.pte', 'model.ptd', 'tekken.json']) {
      const entry = asar.entries.find((e) => e.path === `${DEMO_MODEL_DIR}/${file}`);
      expect(entry?.unpacked, file).toBe(true);
      const shipped = readFileSync(unpackedPath(`${DEMO_MODEL_DIR}/${file}`));
      expect(shipped.equals(readFileSync(path.join(repoRoot, DEMO_MODEL_DIR, file))), `${file} is byte-identical`).toBe(true);
    }
  });

  it.runIf(realDist)('ships the "Make a model" worker unpacked, where main starts it, and it runs from there', async () => {
    const entry = asar.entries.find((e) => e.path === 'dist/main/pack-worker.cjs');
    expect(entry?.unpacked).toBe(true);
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(unpackedPath('dist/main/pack-worker.cjs'), {
      workerData: { checkpointDir: path.join(work, 'no-checkpoint'), outDir: path.join(work, 'no-model'), quant: '4w', dtype: 'bf16', groupSize: 32 },
    });
    const message = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    expect(message).toMatchObject({ type: 'error', invalid: true, message: expect.stringContaining('params.json not found') });
    await worker.terminate();
  });

  it('carries a voxtral CLI launcher that runs the CLI bundle with the app’s Electron as Node', () => {
    const launcher = path.join(unpackedDir, 'voxtral');
    expect(statSync(launcher).mode & 0o111, 'executable bit').not.toBe(0);
    // A copy where the executable is Node (insisting on ELECTRON_RUN_AS_NODE, as Electron needs)
    // and app.asar is extracted, since plain Node cannot read an asar.
    const app = path.join(work, 'cli-app');
    cpSync(unpackedDir, app, { recursive: true });
    writeFileSync(path.join(app, executable), `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || exit 3\nexec "${process.execPath}" "$@"\n`);
    rmSync(path.join(app, 'resources/app.asar'));
    extractAsar(path.join(unpackedDir, 'resources/app.asar'), path.join(app, 'resources/app.asar'));
    // Called through a link elsewhere, as /usr/bin/voxtral is.
    mkdirSync(path.join(work, 'bin'), { recursive: true });
    symlinkSync(path.join(app, 'voxtral'), path.join(work, 'bin/voxtral'));
    const r = spawnSync(path.join(work, 'bin/voxtral'), ['--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: voxtral <command>/);
  });

  it('makes a tar.gz with the same layout', () => {
    const tarball = artifacts.find((a) => a.endsWith('.tar.gz'));
    expect(tarball, artifacts.join(', ')).toBeDefined();
    expect(path.basename(tarball!)).toBe(`${pkg.name}-${pkg.version}-linux-x64.tar.gz`);
    const listing = execFileSync('tar', ['-tvzf', tarball!], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n');
    const root = `${pkg.name}-${pkg.version}-linux-x64`;
    const exeLine = listing.find((l) => l.endsWith(` ${root}/${executable}`));
    expect(exeLine, 'executable in the tarball').toMatch(/^-rwx/);
    for (const f of ['resources/app.asar', 'resources/icons/512x512.png']) {
      expect(listing.some((l) => l.endsWith(` ${root}/${f}`)), f).toBe(true);
    }
    for (const n of asar.entries.filter((e) => e.unpacked && e.path.endsWith('.node'))) {
      expect(listing.some((l) => l.endsWith(` ${root}/resources/app.asar.unpacked/${n.path}`)), n.path).toBe(true);
    }
  });

  it('makes a .deb that installs to /opt with a launcher, desktop entry and icons', () => {
    const deb = artifacts.find((a) => a.endsWith('.deb'));
    expect(deb, artifacts.join(', ')).toBeDefined();
    const field = (name: string) => execFileSync('dpkg-deb', ['--field', deb!, name], { encoding: 'utf8' }).trim();
    expect(field('Package')).toBe(pkg.name);
    expect(field('Version')).toBe(pkg.version.replace(/-/g, '~')); // Debian orders ~ pre-releases first
    expect(field('Architecture')).toBe('amd64');
    expect(field('Homepage')).toBe(pkg.homepage);
    expect(field('Maintainer')).toMatch(/<.+@.+>/);
    expect(field('Depends')).toMatch(/libgtk-3-0/);
    const contents = execFileSync('dpkg-deb', ['--contents', deb!], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(contents).toMatch(new RegExp(`^-rwx.* \\./opt/${productName}/${executable}$`, 'm'));
    expect(contents).toContain(`./usr/bin/${executable} -> /opt/${productName}/${executable}`);
    expect(contents).toContain(`./usr/bin/voxtral -> /opt/${productName}/voxtral`);
    expect(contents).toContain(`./usr/share/icons/hicolor/512x512/apps/${executable}.png`);
    expect(contents).toContain(`./opt/${productName}/resources/app.asar`);
    const extracted = path.join(work, 'deb-root');
    execFileSync('dpkg-deb', ['-x', deb!, extracted]);
    const desktopFile = path.join(extracted, `usr/share/applications/${executable}.desktop`);
    const desktop = readFileSync(desktopFile, 'utf8');
    // The freedesktop validator prints errors, warnings and hints; a clean entry gets none.
    const validation = spawnSync('desktop-file-validate', [desktopFile], { encoding: 'utf8' });
    expect(validation.error, 'desktop-file-validate (apt: desktop-file-utils)').toBeUndefined();
    expect(`${validation.stdout}${validation.stderr}`).toBe('');
    expect(validation.status).toBe(0);
    expect(desktop).toMatch(/^\[Desktop Entry\]$/m);
    expect(desktop).toContain(`Exec="/opt/${productName}/${executable}" %U`);
    expect(desktop).toContain(`Icon=${executable}`);
    expect(desktop).toContain(`Name=${productName}`);
    // Software centres read the AppStream metadata; it must validate and describe this version.
    const metainfo = path.join(extracted, 'usr/share/metainfo', APPSTREAM_METAINFO);
    const appstream = spawnSync('appstreamcli', ['validate', '--no-net', metainfo], { encoding: 'utf8' });
    expect(appstream.error, 'appstreamcli (apt: appstream)').toBeUndefined();
    expect(appstream.status, appstream.stdout).toBe(0);
    expect(appstream.stdout, 'no warnings or errors').not.toMatch(/^[WE]:/m);
    const metainfoXml = readFileSync(metainfo, 'utf8');
    expect(metainfoXml).toContain(`<release version="${pkg.version}"`);
    expect(metainfoXml).toContain(`<launchable type="desktop-id">${executable}.desktop</launchable>`);
    // The window's WM_CLASS comes from desktopName (shipped in the asar's package.json).
    const shippedDesktopName = JSON.parse(asar.read('package.json').toString('utf8')).desktopName;
    expect(shippedDesktopName).toBe(`${executable}.desktop`);
    expect(desktop).toContain(`StartupWMClass=${executable}`);
  });
});

describe('package-linux.mjs on bad input', () => {
  it.each([
    { args: [], message: /no unpacked Electron: pass --electron-dist DIR or set VXD_ELECTRON_DIST/ },
    { args: ['--electron-dist', '/nonexistent/electron'], message: /\/nonexistent\/electron is not an unpacked Linux Electron/ },
    { args: ['--stand-in', '--targets', 'dir,msi'], message: /unknown target msi: use dir, tar.gz or deb/ },
    { args: ['--stand-in', '--compression', 'fast'], message: /--compression must be store, normal or maximum/ },
    { args: ['--stand-in', '--arch', 'ia32'], message: /--arch must be x64 or arm64/ },
  ])('refuses $args with a clear message, before writing anything', ({ args, message }) => {
    const env = { ...process.env };
    delete env.VXD_ELECTRON_DIST;
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'vxd-refused-')), 'out');
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'build/package-linux.mjs'), '--out', out, ...args], {
      encoding: 'utf8',
      env,
      timeout: 30_000,
    });
    const wrote = existsSync(out);
    rmSync(path.dirname(out), { recursive: true, force: true });
    expect(wrote).toBe(false);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
