// The installer configuration as electron-builder reads it: every referenced resource exists,
// macOS declares what it must for the microphone and paste, and the native engine is unpacked.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Configuration, PlatformSpecificBuildOptions } from 'electron-builder';
import config, { NATIVE_ENGINE_DIR } from '../../build/electron-builder.config';
import { firstRun, MICROPHONE_USAGE } from '../../build/first-run';
import { runCli } from '../../electron/cli/main';
import { readPlist } from './stage';

const repoRoot = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

function platformFiles(options: PlatformSpecificBuildOptions | null | undefined): string[] {
  const files = options?.files;
  if (!Array.isArray(files)) throw new Error('platform files must be a list of patterns');
  return files.filter((f): f is string => typeof f === 'string');
}

describe('electron-builder configuration', () => {
  it('is what package.json points electron-builder at', () => {
    expect(pkg.build).toEqual({ extends: './build/electron-builder.config.ts' });
    expect(pkg.devDependencies).toHaveProperty('electron');
    expect(pkg.devDependencies).toHaveProperty('electron-builder');
    expect(pkg.dependencies ?? {}).not.toHaveProperty('electron');
  });

  it('names the app and targets every platform installer', () => {
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('Voxtral Dictate');
    expect(config.linux?.target).toEqual(['AppImage', 'deb', 'tar.gz']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
  });

  it('refers only to resources that exist in the repository', () => {
    const refs = [
      config.linux?.icon, config.win?.icon, config.mac?.icon, config.nsis?.installerIcon, config.nsis?.uninstallerIcon,
      config.dmg?.icon, config.mac?.entitlements, config.mac?.entitlementsInherit,
    ];
    for (const ref of refs) {
      expect(typeof ref, 'every icon and entitlement is set').toBe('string');
      expect(existsSync(path.join(repoRoot, ref as string)), ref as string).toBe(true);
    }
  });

  it('lets the macOS app use the microphone and explains why', () => {
    const info = config.mac?.extendInfo as Record<string, string>;
    expect(info.NSMicrophoneUsageDescription).toBe(MICROPHONE_USAGE);
    expect(info.NSAppleEventsUsageDescription.length).toBeGreaterThan(20);
    expect(config.mac?.hardenedRuntime).toBe(true);
    for (const file of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      const plist = readPlist(path.join(repoRoot, file as string));
      expect(plist['com.apple.security.device.audio-input'], file as string).toBe(true);
      expect(plist['com.apple.security.cs.allow-jit'], file as string).toBe(true);
    }
  });

  it('ships the native engine and its backend libraries unpacked on every platform', () => {
    expect(config.asarUnpack).toContain(`${NATIVE_ENGINE_DIR}/**`);
    for (const os of ['linux', 'win', 'mac'] as const) {
      const files = platformFiles((config as Configuration)[os]);
      expect(files, os).toContain(`${NATIVE_ENGINE_DIR}/*.node`);
      expect(files, os).toContain(`${NATIVE_ENGINE_DIR}/*.{so,dylib,dll}`);
      expect(files, os).toContain('dist/main/**');
      // Each OS drops the other two OSes' prebuilt onnxruntime binaries and keeps its own.
      const dropped = files.filter((f) => f.startsWith('!**/node_modules/onnxruntime-node/bin/napi-v*/') && !f.includes('${arch}'));
      expect(dropped, os).toHaveLength(2);
    }
    expect(config.npmRebuild).toBe(false);
  });
});

describe('first-run model guide', () => {
  it('offers both ways to get a model, with the exact pack command', () => {
    expect(firstRun.options.map((o) => o.id)).toEqual(['choose-existing', 'pack-from-checkpoint']);
    const commands = firstRun.options.flatMap((o) => o.steps.flatMap((s) => (s.command ? [s.command] : [])));
    expect(commands).toEqual(['npx voxtral pack --checkpoint DIR --out DIR --quant 4w']);
    expect(firstRun.modelFiles).toMatch(/model\.pte/);
    expect(firstRun.modelFiles).toMatch(/model\.ptd/);
    expect(firstRun.modelFiles).toMatch(/tekken\.json/);
  });

  it('gives a pack command the packer accepts: it gets as far as reading the checkpoint', async () => {
    const [command] = firstRun.options.flatMap((o) => o.steps.flatMap((s) => (s.command ? [s.command] : [])));
    const [npx, bin, name, ...flags] = command.split(' ');
    expect([npx, bin, name]).toEqual(['npx', 'voxtral', 'pack']);
    const work = mkdtempSync(path.join(os.tmpdir(), 'vxd-first-run-'));
    const missing = path.join(work, 'no-checkpoint');
    const args = flags.map((f, i) => (f === 'DIR' ? (flags[i - 1] === '--checkpoint' ? missing : path.join(work, 'out')) : f));
    const errors: string[] = [];
    const code = await runCli([name, ...args], { out: () => {}, err: (text) => errors.push(text) });
    rmSync(work, { recursive: true, force: true });
    expect(code).toBe(1);
    // Rejected for the missing checkpoint, not for a flag or quant value the packer does not know.
    expect(errors.join('')).toContain(missing);
    expect(errors.join('')).not.toMatch(/must be one of|unknown|usage:/i);
  });

  it('explains every permission a platform asks for', () => {
    expect(firstRun.permissions.darwin.map((p) => p.id)).toEqual(['microphone', 'accessibility', 'input-monitoring']);
    for (const list of Object.values(firstRun.permissions)) {
      for (const p of list) {
        expect(p.why.length, p.id).toBeGreaterThan(20);
        expect(p.howToGrant.length, p.id).toBeGreaterThan(20);
      }
    }
  });
});
