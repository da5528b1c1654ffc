import type { Settings, SettingsPatch } from './ipc-contract';
import { isPlainObject } from './validate';

/** Settings with a patch applied: sections are merged field by field, plain values replaced. */
export function applySettingsPatch(settings: Settings, patch: SettingsPatch): Settings {
  const next: Record<string, unknown> = { ...settings };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = next[key];
    next[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  return next as unknown as Settings;
}
