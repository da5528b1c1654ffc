// Windows and macOS app folders (electron-builder `dir`), built here against stand-in Electrons
// (build/stand-in-electron.mjs): what the NSIS and dmg installers would wrap. Checks what the
// configuration decides: names, the macOS Info.plist and icon, and that each carries only its own
// platform's native binaries, unpacked. Installers, signing and notarization need the real OS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuseV1Options } from '@electron/fuses';
import config from '../../build/electron-builder.config';
import { fusesFor } from '../../build/fuses';
import { APPLE_EVENTS_USAGE, MICROPHONE_USAGE } from '../../build/first-run';
import { openAsar } from './asar';
import { configuredFuseStates, readFuseWire, readPlist, repoRoot, stageProject } from './stage';

const electronVersion = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/electron/package.json'), 'utf8')).version;
const NATIVE = /\.(node|so(\.\d+)*|dylib|dll)$/;

let work: string;
let project: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vxd-other-platforms-'));
  project = stageProject(path.join(work, 'project'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Packs `dir` for one platform and returns the unpacked app's resources folder. */
function packDir(platform: 'win32' | 'darwin', arch: 'x64' | 'arm64'): string {
  const electronDist = path.join(work, `electron-${platform}`);
  execFileSync(process.execPath, [path.join(repoRoot, 'build/stand-in-electron.mjs'), electronDist, electronVersion, platform]);
  const out = path.join(work, `out-${platform}`);
  const cli = path.join(repoRoot, 'node_modules/electron-builder/cli.js');
  const flag = platform === 'win32' ? '--win' : '--mac';
  execFileSync(
    process.execPath,
    [cli, flag, 'dir', `--${arch}`, '--projectDir', project, '--publish', 'never',
      `-c.electronDist=${electronDist}`, `-c.electronVersion=${electronVersion}`, `-c.directories.output=${out}`,
      // rcedit (exe icon and version strings) is a Windows tool the builder would download.
      '-c.win.signAndEditExecutable=false'],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 },
  );
  return platform === 'win32'
    ? path.join(out, 'win-unpacked', 'resources')
    : path.join(out, `mac-${arch}`, `${config.productName}.app`, 'Contents', 'Resources');
}

/** The binary's fuse wire has every fuse build/fuses.ts sets for the platform, and hardens it. */
function expectFuses(binary: string, platform: 'win32' | 'darwin'): void {
  const wire = readFuseWire(binary);
  for (const [index, state] of Object.entries(configuredFuseStates(fusesFor(platform)))) {
    expect(wire[Number(index)], `fuse ${index}`).toBe(state);
  }
  expect(wire[FuseV1Options.RunAsNode], 'RunAsNode').toBe('0');
  expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation], 'asar integrity').toBe('1');
}

/** The dependencies' native binaries are this platform's only, each unpacked and on disk. */
function expectOnlyNativesFor(resources: string, platform: 'win32' | 'darwin', arch: 'x64' | 'arm64', onnxruntimeFile: string): void {
  const archive = openAsar(path.join(resources, 'app.asar'));
  const natives = archive.entries.filter((e) => NATIVE.test(e.path) && e.path.startsWith('node_modules/'));
  expect(natives.map((n) => n.path)).toContain(`node_modules/uiohook-napi/prebuilds/${platform}-${arch}/uiohook-napi.node`);
  expect(natives.some((n) => n.path.endsWith(`${platform}/${arch}/${onnxruntimeFile}`)), onnxruntimeFile).toBe(true);
  for (const n of natives) {
    expect(n.path, 'no other platform').toMatch(new RegExp(`${platform}[-/]${arch}/`));
    expect(n.unpacked, n.path).toBe(true);
    expect(existsSync(path.join(resources, 'app.asar.unpacked', n.path)), n.path).toBe(true);
  }
}

describe('Windows app folder', () => {
  let resources: string;
  beforeAll(() => {
    resources = packDir('win32', 'x64');
  }, 180_000);

  it('is named after the product, with the Windows fuses flipped', () => {
    const exe = path.join(resources, '..', `${config.productName}.exe`);
    expect(existsSync(exe)).toBe(true);
    expectFuses(exe, 'win32');
  });

  it('carries only win32-x64 native binaries, unpacked', () => {
    expectOnlyNativesFor(resources, 'win32', 'x64', 'onnxruntime.dll');
  });
});

describe('macOS app bundle', () => {
  let resources: string;
  let info: Record<string, unknown>;
  beforeAll(() => {
    resources = packDir('darwin', 'arm64');
    info = readPlist(path.join(resources, '..', 'Info.plist'));
  }, 180_000);

  it('has the app id, name and the usage descriptions macOS requires', () => {
    expect(info.CFBundleIdentifier).toBe(config.appId);
    expect(info.CFBundleName).toBe(config.productName);
    expect(info.NSMicrophoneUsageDescription).toBe(MICROPHONE_USAGE);
    expect(info.NSAppleEventsUsageDescription).toBe(APPLE_EVENTS_USAGE);
    expect(info.LSApplicationCategoryType).toBe('public.app-category.productivity');
  });

  it('has the macOS fuses flipped in the Electron framework, RunAsNode off', () => {
    expectFuses(path.join(resources, '..', 'Frameworks/Electron Framework.framework/Electron Framework'), 'darwin');
  });

  it('embeds the asar hash the integrity fuse validates against, matching the shipped asar', () => {
    const integrity = info.ElectronAsarIntegrity as Record<string, { algorithm: string; hash: string }>;
    expect(integrity['Resources/app.asar']).toEqual({
      algorithm: 'SHA256',
      hash: openAsar(path.join(resources, 'app.asar')).headerSha256,
    });
  });

  it('carries the generated icon', () => {
    const icon = String(info.CFBundleIconFile);
    expect(readFileSync(path.join(resources, icon.endsWith('.icns') ? icon : `${icon}.icns`)).equals(readFileSync(path.join(repoRoot, 'build/icon.icns')))).toBe(true);
  });

  it('carries only darwin-arm64 native binaries, unpacked', () => {
    expectOnlyNativesFor(resources, 'darwin', 'arm64', 'onnxruntime_binding.node');
  });
});
