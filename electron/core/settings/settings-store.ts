// SettingsStore: the user's settings as one JSON file in the config directory. Every change is
// validated against the contract, merged, and written atomically. A damaged file never stops the
// app: it is kept as settings.corrupt-<time>.json, the damaged parts fall back to defaults and a
// notice tells the user what happened.

import path from 'node:path';
import {
  settingsSectionValidators, validateSettings, validateSettingsPatch,
  type Notice, type Settings,
} from '../../common/ipc-contract';
import { applySettingsPatch } from '../../common/settings-patch';
import { check, isPlainObject } from '../../common/validate';
import { moveAsideCorrupt, readJsonFile, removeStaleTemps, SerialQueue, writeJsonAtomic } from '../app/json-file';
import { defaultSettings } from './defaults';

export const SETTINGS_FILE_NAME = 'settings.json';

type SectionName = keyof Settings;

export interface SettingsStoreOptions {
  onNotice?: (notice: Notice) => void;
}

export class SettingsStore {
  private readonly writes = new SerialQueue();
  private readonly listeners = new Set<(settings: Settings) => void>();

  private constructor(readonly file: string, private current: Settings) {}

  /** Loads (or creates) `<configDir>/settings.json`, repairing it if it is damaged. */
  static async open(configDir: string, options: SettingsStoreOptions = {}): Promise<SettingsStore> {
    const file = path.join(configDir, SETTINGS_FILE_NAME);
    await removeStaleTemps(file);
    const read = await readJsonFile(file);
    if (read.kind === 'missing') return new SettingsStore(file, defaultSettings());

    const repaired = read.kind === 'ok' ? repairSettings(read.value) : null;
    if (repaired && repaired.invalid.length === 0) return new SettingsStore(file, repaired.settings);

    const backup = await moveAsideCorrupt(file);
    const settings = repaired?.settings ?? defaultSettings();
    const store = new SettingsStore(file, settings);
    await store.persist();
    const what = repaired
      ? `Some settings were invalid (${repaired.invalid.join(', ')}) and were reset to their defaults`
      : `The settings file could not be read (${read.kind === 'corrupt' ? read.reason : 'not an object'}) and was reset to the defaults`;
    options.onNotice?.({ kind: 'settings-reset', message: `${what}. The old file was kept as ${path.basename(backup)}.` });
    return store;
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  /** Applies a validated partial change; throws ValidationError-derived messages via `check`. */
  async update(rawPatch: unknown): Promise<Settings> {
    const patch = check(validateSettingsPatch, rawPatch);
    if (!patch.ok) throw new SettingsError(patch.message);
    const next = check(validateSettings, applySettingsPatch(this.current, patch.value));
    if (!next.ok) throw new SettingsError(next.message);
    return this.replace(next.value);
  }

  async reset(): Promise<Settings> {
    return this.replace(defaultSettings());
  }

  /** Resolves once every write queued so far has reached the disk (or failed). */
  flush(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  /** Called with the new settings after every successful change. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async replace(next: Settings): Promise<Settings> {
    const previous = this.current;
    this.current = next;
    try {
      await this.persist();
    } catch (err) {
      this.current = previous; // what is on disk is what the app uses
      throw err;
    }
    for (const listener of this.listeners) listener(this.get());
    return this.get();
  }

  private persist(): Promise<void> {
    const snapshot = this.get();
    return this.writes.run(() => writeJsonAtomic(this.file, snapshot));
  }
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Keeps every valid section of a stored settings object. Missing sections and missing fields take
 * their defaults silently (a file from an older version); invalid ones are reported.
 */
export function repairSettings(stored: unknown): { settings: Settings; invalid: SectionName[] } | null {
  if (!isPlainObject(stored)) return null;
  const defaults = defaultSettings();
  const settings = defaultSettings() as unknown as Record<SectionName, unknown>;
  const invalid: SectionName[] = [];
  for (const name of Object.keys(settingsSectionValidators) as SectionName[]) {
    if (!(name in stored)) continue;
    const fallback = defaults[name];
    const value = stored[name];
    const candidate = isPlainObject(fallback) && isPlainObject(value) ? { ...fallback, ...value } : value;
    const result = check(settingsSectionValidators[name] as (v: unknown) => unknown, candidate);
    if (result.ok) settings[name] = result.value;
    else invalid.push(name);
  }
  return { settings: settings as unknown as Settings, invalid };
}
