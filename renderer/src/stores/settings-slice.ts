import type { StateCreator } from 'zustand';
import type { VoxtralClient } from '../ipc/client';
import { applySettingsPatch } from '../../../electron/common/settings-patch';
import type { AppState, SettingsSlice } from './types';

export const createSettingsSlice = (client: VoxtralClient): StateCreator<AppState, [], [], SettingsSlice> => (set, get) => ({
  settings: null,
  backends: [],
  desktop: null,
  update: null,
  settingsError: null,
  lastSavedAt: null,
  modelSummary: null,
  modelError: null,
  inspectingModel: false,

  async loadSettings() {
    const [settings, backends, desktop, update] = await Promise.all([
      client.call('getSettings'), client.call('listBackends'), client.call('getDesktopStatus'), client.call('getUpdateStatus'),
    ]);
    if (settings.ok) set({ settings: settings.value });
    else set({ settingsError: settings.error.message });
    if (backends.ok) set({ backends: backends.value });
    if (desktop.ok) set({ desktop: desktop.value });
    if (update.ok) set({ update: update.value });
  },

  async updateSettings(patch) {
    // Optimistic: the control shows the new value at once and rolls back if the core refuses it.
    const before = get().settings;
    if (before) set({ settings: applySettingsPatch(before, patch) });
    const result = await client.call('updateSettings', patch);
    if (!result.ok) {
      set({ settingsError: result.error.message, ...(before && get().settings !== before ? { settings: before } : {}) });
      return false;
    }
    set({ settings: result.value, settingsError: null, lastSavedAt: Date.now() });
    return true;
  },

  async resetSettings() {
    const result = await client.call('resetSettings');
    if (result.ok) set({ settings: result.value, settingsError: null, lastSavedAt: Date.now(), modelSummary: null, modelError: null });
    else set({ settingsError: result.error.message });
  },

  async inspectModel() {
    const model = get().settings?.model;
    if (!model?.pte) {
      set({ modelSummary: null, modelError: { code: 'no-model', message: 'Enter the path of a model .pte file first.' } });
      return;
    }
    set({ inspectingModel: true, modelError: null });
    const result = await client.call('inspectModel', { pte: model.pte, ptd: model.ptd });
    set(result.ok
      ? { modelSummary: result.value, modelError: null, inspectingModel: false }
      : { modelSummary: null, modelError: result.error, inspectingModel: false });
  },

  async chooseModelFile(which) {
    const chosen = await client.call('chooseFile', { purpose: which === 'pte' ? 'model-program' : 'model-weights' });
    if (!chosen.ok) set({ settingsError: chosen.error.message });
    else if (chosen.value.path) await get().updateSettings({ model: { [which]: chosen.value.path } });
  },

  applySettings: (settings) => set({ settings }),
  applyDesktopStatus: (desktop) => set({ desktop }),
  applyUpdateStatus: (update) => set({ update }),

  async checkForUpdates() {
    const result = await client.call('checkForUpdates');
    if (result.ok) set({ update: result.value });
    else set({ settingsError: result.error.message });
  },
});
