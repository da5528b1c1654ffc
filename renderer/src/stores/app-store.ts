// The renderer's single zustand store, combined from one slice per concern, plus the wiring that
// feeds core events into it.

import { create } from 'zustand';
import type { VoxtralClient } from '../ipc/client';
import { createConversionSlice } from './conversion-slice';
import { createDictationSlice } from './dictation-slice';
import { createHistorySlice } from './history-slice';
import { createNoticesSlice } from './notices-slice';
import { createSettingsSlice } from './settings-slice';
import type { AppState } from './types';
import { createUiSlice } from './ui-slice';

export function createAppStore(client: VoxtralClient) {
  return create<AppState>()((...a) => ({
    ...createUiSlice()(...a),
    ...createSettingsSlice(client)(...a),
    ...createDictationSlice(client)(...a),
    ...createHistorySlice(client)(...a),
    ...createNoticesSlice()(...a),
    ...createConversionSlice(client)(...a),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;

/** Subscribes the store to core events and loads the initial state; returns the unsubscribe. */
export function connectStore(store: AppStore, client: VoxtralClient): () => void {
  const s = store.getState;
  const offs = [
    client.on('state', (status) => s().applyStatus(status)),
    client.on('partial', (partial) => s().applyPartial(partial)),
    client.on('final', (final) => s().applyFinal(final)),
    client.on('error', (error) => s().applyError(error)),
    client.on('progress', (progress) => s().applyProgress(progress)),
    client.on('notice', (notice) => s().pushNotice(notice)),
    client.on('settings', (settings) => s().applySettings(settings)),
    client.on('history', () => void s().loadHistory()),
    client.on('speech', (activity) => s().applySpeech(activity)),
    client.on('navigate', ({ view }) => s().setView(view)),
    client.on('desktop', (status) => s().applyDesktopStatus(status)),
    client.on('conversion', (status) => s().applyConversion(status)),
    client.on('download', (status) => s().applyDownload(status)),
    client.on('update', (status) => s().applyUpdateStatus(status)),
  ];
  void (async () => {
    await s().loadSettings();
    const [status, notices] = await Promise.all([client.call('getDictationStatus'), client.call('takePendingNotices')]);
    if (status.ok) s().applyStatus(status.value);
    if (notices.ok) for (const notice of notices.value) s().pushNotice(notice);
    await s().loadHistory();
  })();
  return () => offs.forEach((off) => off());
}
