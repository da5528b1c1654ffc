import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../electron/common/ipc-contract';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { SettingsStore } from '../../../electron/core/settings/settings-store';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

describe('SettingsStore', () => {
  it('starts from the defaults when there is no file, without writing one', async () => {
    const dir = await tempDir();
    const store = await SettingsStore.open(dir);
    expect(store.get()).toEqual(defaultSettings());
    expect(await readdir(dir)).toEqual([]);
  });

  it('persists a validated change and reads it back after reopening', async () => {
    const dir = await tempDir();
    const store = await SettingsStore.open(dir);
    const seen: string[] = [];
    store.onChange((s) => seen.push(s.insertion.mode));
    const next = await store.update({ insertion: { mode: 'type' }, engine: { threads: 4 } });
    expect(next.insertion.mode).toBe('type');
    expect(next.engine).toEqual({ backend: 'auto', dtype: 'bf16', threads: 4, gpu: null, unloadAfterMinutes: 0 }); // sibling fields kept
    expect(seen).toEqual(['type']);
    const onDisk = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'));
    expect(onDisk.insertion.mode).toBe('type');
    expect((await SettingsStore.open(dir)).get()).toEqual(next);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]); // temp file renamed away
  });

  it('rejects an invalid change and keeps the previous settings', async () => {
    const dir = await tempDir();
    const store = await SettingsStore.open(dir);
    await expect(store.update({ insertion: { mode: 'shout' } })).rejects.toThrow(/insertion\.mode must be one of paste, type, clipboard/);
    await expect(store.update({ engine: { threads: 100000 } })).rejects.toThrow(/engine\.threads/);
    expect(store.get()).toEqual(defaultSettings());
  });

  it('returns copies, so callers cannot change the stored settings by accident', async () => {
    const store = await SettingsStore.open(await tempDir());
    store.get().insertion.mode = 'clipboard';
    expect(store.get().insertion.mode).toBe('paste');
  });

  it('backs up an unparseable file, falls back to defaults and raises a notice', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'settings.json'), '{"insertion": {"mode": "ty');
    const notices: Notice[] = [];
    const store = await SettingsStore.open(dir, { onNotice: (n) => notices.push(n) });
    expect(store.get()).toEqual(defaultSettings());
    const files = await readdir(dir);
    const backup = files.find((f) => /^settings\.corrupt-.+\.json$/.test(f));
    expect(backup).toBeDefined();
    expect(await readFile(path.join(dir, backup!), 'utf8')).toBe('{"insertion": {"mode": "ty'); // nothing lost
    expect(notices).toHaveLength(1);
    expect(notices[0].kind).toBe('settings-reset');
    expect(notices[0].message).toContain(backup!);
    expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'))).toEqual(defaultSettings());
  });

  it('keeps the valid sections of a damaged file and resets only the bad ones', async () => {
    const dir = await tempDir();
    const stored = { ...defaultSettings(), insertion: { mode: 'type' }, engine: { backend: 'tpu', dtype: 'fp32', threads: 0 } };
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify(stored));
    const notices: Notice[] = [];
    const store = await SettingsStore.open(dir, { onNotice: (n) => notices.push(n) });
    expect(store.get().insertion.mode).toBe('type');
    expect(store.get().engine).toEqual(defaultSettings().engine);
    expect(notices[0].message).toContain('engine');
  });

  it('fills fields missing from an older file with defaults, silently', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ insertion: { mode: 'clipboard' }, handsFree: { enabled: true } }));
    const notices: Notice[] = [];
    const store = await SettingsStore.open(dir, { onNotice: (n) => notices.push(n) });
    expect(store.get().insertion.mode).toBe('clipboard');
    expect(store.get().handsFree).toEqual({ ...defaultSettings().handsFree, enabled: true });
    expect(notices).toEqual([]);
  });

  it('reset returns to the defaults and persists them', async () => {
    const dir = await tempDir();
    const store = await SettingsStore.open(dir);
    await store.update({ showOverlay: false });
    expect(await store.reset()).toEqual(defaultSettings());
    expect((await SettingsStore.open(dir)).get()).toEqual(defaultSettings());
  });
});
