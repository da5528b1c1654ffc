// Builds a stand-in for an unpacked Electron distribution, for packaging where the real Electron
// binary cannot be downloaded. electron-builder only copies this folder (renaming the executable,
// and on macOS rewriting Info.plist), so the layout it produces is the real one; the program itself
// cannot run. Real installers use a real Electron: see docs/packaging.md.
//   node build/stand-in-electron.mjs <dir> [electronVersion] [linux|win32|darwin]
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAND_IN_MARKER = 'voxtral-dictate electron stand-in';
// A fuse wire as Electron embeds one (sentinel, version 1, 8 fuses: '1' on, '0' off), so the
// builder's fuse step has something real to flip: @electron/fuses' format.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_WIRE = Buffer.concat([Buffer.from(FUSE_SENTINEL, 'latin1'), Buffer.from([1, 8]), Buffer.from('10110001', 'latin1')]);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Creates the stand-in for `platform` in `dir` and returns `dir`. */
export function createStandInElectron(dir, electronVersion, platform = 'linux') {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'version'), `${electronVersion}\n`);
  writeFileSync(path.join(dir, 'LICENSE'), `${STAND_IN_MARKER}; a real Electron ships its MIT license here.\n`);
  if (platform === 'linux') createLinux(dir);
  else if (platform === 'win32') createWindows(dir);
  else if (platform === 'darwin') createMac(dir, electronVersion);
  else throw new Error(`no stand-in Electron for ${platform}`);
  return dir;
}

function createLinux(dir) {
  // No resources/default_app.asar: an empty one breaks electron-builder's asar integrity step.
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const executable = path.join(dir, 'electron');
  const script = `#!/bin/sh\necho "${STAND_IN_MARKER}: built without a real Electron binary" >&2\nexit 1\n# `;
  writeFileSync(executable, Buffer.concat([Buffer.from(script), FUSE_WIRE, Buffer.from('\n')]));
  chmodSync(executable, 0o755);
}

/** electron-builder edits electron.exe's resources (asar integrity), so it must be a real PE with a
 * version resource and no Authenticode signature: onnxruntime's Windows DLL, signature removed. */
function createWindows(dir) {
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const pe = Buffer.from(readFileSync(path.join(repoRoot, 'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll')));
  // The wire goes after the PE image (an overlay), which the resource edit keeps.
  writeFileSync(path.join(dir, 'electron.exe'), Buffer.concat([withoutSignature(pe), FUSE_WIRE]));
}

/** Clears the PE certificate table entry and drops the signature bytes at the end of the file. */
function withoutSignature(pe) {
  const header = pe.readUInt32LE(0x3c);
  if (pe.toString('latin1', header, header + 4) !== 'PE\0\0') throw new Error('not a PE file');
  const optional = header + 24;
  const dataDirectories = optional + (pe.readUInt16LE(optional) === 0x20b ? 112 : 96);
  const certificateEntry = dataDirectories + 4 * 8;
  const certificateOffset = pe.readUInt32LE(certificateEntry);
  pe.writeUInt32LE(0, certificateEntry);
  pe.writeUInt32LE(0, certificateEntry + 4);
  return certificateOffset > 0 ? pe.subarray(0, certificateOffset) : pe;
}

function createMac(dir, electronVersion) {
  const contents = path.join(dir, 'Electron.app', 'Contents');
  const bundle = (root, name, id) => {
    mkdirSync(path.join(root, 'MacOS'), { recursive: true });
    mkdirSync(path.join(root, 'Resources'), { recursive: true });
    writeFileSync(path.join(root, 'Info.plist'), infoPlist({ CFBundleExecutable: name, CFBundleIdentifier: id, CFBundleName: name, CFBundleVersion: electronVersion }));
    const executable = path.join(root, 'MacOS', name);
    writeFileSync(executable, `#!/bin/sh\necho "${STAND_IN_MARKER}" >&2\nexit 1\n`);
    chmodSync(executable, 0o755);
  };
  bundle(contents, 'Electron', 'com.github.Electron');
  // On macOS the fuse wire lives in the framework binary.
  const framework = path.join(contents, 'Frameworks', 'Electron Framework.framework');
  mkdirSync(framework, { recursive: true });
  writeFileSync(path.join(framework, 'Electron Framework'), FUSE_WIRE);
  for (const suffix of ['', ' (GPU)', ' (Renderer)', ' (Plugin)']) {
    bundle(path.join(contents, 'Frameworks', `Electron Helper${suffix}.app`, 'Contents'), `Electron Helper${suffix}`, 'com.github.Electron.helper');
  }
}

function infoPlist(entries) {
  const body = Object.entries(entries).map(([k, v]) => `  <key>${k}</key>\n  <string>${v}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n${body}\n</dict>\n</plist>\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node build/stand-in-electron.mjs <dir> [electronVersion] [linux|win32|darwin]');
    process.exit(2);
  }
  createStandInElectron(path.resolve(dir), process.argv[3] ?? '0.0.0', process.argv[4] ?? 'linux');
  console.log(`stand-in Electron written to ${dir}`);
}
