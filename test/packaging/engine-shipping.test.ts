// The packaging rules for the native engine, independent of whether the real engine has been built:
// a compiled stand-in addon plus a stand-in CUDA backend library sit in native-models/build/Release
// beside cmake-js' intermediate files, exactly where cmake-js puts the real ones. The package must
// carry the addon and the backend unpacked (loadable by Node and by the addon's own dlopen), and none
// of the build debris. A CPU-only build (no backend library) must still package.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAsar } from './asar';
import { ENGINE_DIR, listFiles, loadInNode, nodeApiLinkage, packLinux, repoRoot, stageProject } from './stage';

// The stand-in addon finds its backend the way the real one must in a package: next to its own
// file (dladdr), never through the app.asar path, which the dynamic loader cannot read.
const ADDON_SOURCE = `
#define _GNU_SOURCE
#include <node_api.h>
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
static napi_value probe_cuda(napi_env env, napi_callback_info info) {
  Dl_info self; char dir[4096]; char lib[4200]; napi_value result;
  dladdr((void *)probe_cuda, &self);
  strncpy(dir, self.dli_fname, sizeof dir - 1); dir[sizeof dir - 1] = 0;
  snprintf(lib, sizeof lib, "%s/libvxd_backend_cuda.so", dirname(dir));
  void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  int (*id)(void) = h ? (int (*)(void))dlsym(h, "vxd_backend_id") : NULL;
  napi_create_int32(env, id ? id() : -1, &result);
  return result;
}
NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "probeCuda", NAPI_AUTO_LENGTH, probe_cuda, NULL, &fn);
  napi_set_named_property(env, exports, "probeCuda", fn);
  return exports;
}
`;
const BACKEND_SOURCE = 'int vxd_backend_id(void) { return 7; }\n';

function nodeApiIncludeDir(): string {
  const candidates = [path.join(repoRoot, 'node_modules/node-api-headers/include'), '/usr/include/node'];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'node_api.h')));
  if (!found) throw new Error(`node_api.h not found in ${candidates.join(' or ')}`);
  return found;
}

/** Builds the stand-in engine into `dir`, with the debris a cmake-js build leaves. */
function buildStandInEngine(dir: string, withCuda: boolean): void {
  mkdirSync(path.join(dir, 'CMakeFiles/vxd_addon.dir'), { recursive: true });
  writeFileSync(path.join(dir, 'addon.c'), ADDON_SOURCE);
  execFileSync('cc', ['-shared', '-fPIC', `-I${nodeApiIncludeDir()}`, path.join(dir, 'addon.c'), '-o', path.join(dir, 'vxd_addon.node'), '-ldl']);
  if (withCuda) {
    writeFileSync(path.join(dir, 'backend.c'), BACKEND_SOURCE);
    execFileSync('cc', ['-shared', '-fPIC', path.join(dir, 'backend.c'), '-o', path.join(dir, 'libvxd_backend_cuda.so')]);
    // The full build has libX11's headers, so its X11 paste offer helper too (the real one).
    execFileSync('cc', ['-O2', path.join(repoRoot, 'native-models/desktop/x11_offer.c'), '-o', path.join(dir, 'vxd-x11-offer'), '-lX11']);
  }
  writeFileSync(path.join(dir, 'CMakeFiles/vxd_addon.dir/addon.o'), 'object file');
  writeFileSync(path.join(dir, 'vxd_addon.exp'), 'export list');
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vxd-engine-shipping-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each([
  { name: 'CPU + CUDA build', withCuda: true },
  { name: 'CPU-only build', withCuda: false },
])('native engine in the package: $name', ({ name, withCuda }) => {
  let unpackedEngine: string;
  let shipped: { path: string; unpacked: boolean }[];

  beforeAll(() => {
    const base = path.join(work, name.replace(/\W+/g, '-'));
    const engine = path.join(base, 'engine');
    buildStandInEngine(engine, withCuda);
    const project = stageProject(path.join(base, 'project'), { engineDir: engine });
    const { unpackedDir } = packLinux(project, path.join(base, 'out'), ['dir']);
    unpackedEngine = path.join(unpackedDir, 'resources/app.asar.unpacked', ENGINE_DIR);
    shipped = openAsar(path.join(unpackedDir, 'resources/app.asar')).entries.filter((e) => e.path.startsWith(`${ENGINE_DIR}/`));
  }, 180_000);

  it('carries the addon, the backend libraries and the X11 offer helper, unpacked, and no build debris', () => {
    const expected = withCuda ? ['libvxd_backend_cuda.so', 'vxd-x11-offer', 'vxd_addon.node'] : ['vxd_addon.node'];
    expect(shipped.map((e) => e.path.slice(ENGINE_DIR.length + 1)).sort()).toEqual(expected);
    expect(shipped.every((e) => e.unpacked)).toBe(true);
    expect(listFiles(unpackedEngine).sort()).toEqual(expected);
  });

  it('loads the addon from app.asar.unpacked, and the addon finds its backend at run time', () => {
    const addon = path.join(unpackedEngine, 'vxd_addon.node');
    const loaded = loadInNode(addon);
    expect(loaded.ok, loaded.output).toBe(true);
    expect(loaded.exports).toEqual(['probeCuda']);
    const probed = execFileSync(process.execPath, ['-e', 'console.log(require(process.argv[1]).probeCuda())', addon], { encoding: 'utf8' });
    // 7: the backend library was found beside the addon; -1: no backend shipped, CPU only.
    expect(Number(probed.trim())).toBe(withCuda ? 7 : -1);
  });

  it.runIf(withCuda)('the X11 offer helper stays a program that runs from app.asar.unpacked', () => {
    const helper = path.join(unpackedEngine, 'vxd-x11-offer');
    expect(statSync(helper).mode & 0o111).not.toBe(0);
    const run = spawnSync(helper, ['-no-such-option'], { encoding: 'utf8', input: '' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^usage: vxd-x11-offer/);
  });

  it('links only against Node-API, so the one build runs in any Electron version', () => {
    expect(nodeApiLinkage(path.join(unpackedEngine, 'vxd_addon.node'))).toEqual({ registersNodeApi: true, abiBoundImports: [] });
  });
});
