import type { StateCreator } from 'zustand';
import type { VoxtralClient } from '../ipc/client';
import type { AppState, HistorySlice } from './types';

const PAGE_SIZE = 200;

export const createHistorySlice = (client: VoxtralClient): StateCreator<AppState, [], [], HistorySlice> => (set, get) => ({
  historyEntries: [],
  historyTotal: 0,
  historyQuery: '',
  historyError: null,
  historyLoading: false,

  async loadHistory() {
    const query = get().historyQuery.trim();
    set({ historyLoading: true });
    const result = query
      ? await client.call('searchHistory', { query, limit: PAGE_SIZE })
      : await client.call('listHistory', { offset: 0, limit: PAGE_SIZE });
    if (get().historyQuery.trim() !== query) return; // a newer query is on its way
    set(result.ok
      ? { historyEntries: result.value.entries, historyTotal: result.value.total, historyError: null, historyLoading: false }
      : { historyError: result.error.message, historyLoading: false });
  },

  async setHistoryQuery(query) {
    set({ historyQuery: query });
    await get().loadHistory();
  },

  async deleteHistoryEntry(id) {
    const result = await client.call('deleteHistoryEntry', { id });
    if (!result.ok) set({ historyError: result.error.message });
    await get().loadHistory();
  },

  async exportHistory() {
    const result = await client.call('exportHistory', { query: get().historyQuery.trim() });
    if (!result.ok) return set({ historyError: result.error.message });
    const { path, count } = result.value;
    if (path) get().pushNotice({ kind: 'info', message: `Exported ${count} transcript${count === 1 ? '' : 's'} to ${path}.` });
  },

  async editHistoryEntry(id, text) {
    const result = await client.call('editHistoryEntry', { id, text });
    if (!result.ok) {
      set({ historyError: result.error.message });
      return false;
    }
    const { entry } = result.value;
    set({ historyEntries: get().historyEntries.map((e) => (e.id === id ? entry : e)), historyError: null });
    return true;
  },

  async saveSubtitles(id) {
    const result = await client.call('saveSubtitles', { id });
    if (!result.ok) return set({ historyError: result.error.message });
    if (result.value.path) get().pushNotice({ kind: 'info', message: `Subtitles saved to ${result.value.path}.` });
  },

  async clearHistory() {
    const result = await client.call('clearHistory');
    if (!result.ok) set({ historyError: result.error.message });
    await get().loadHistory();
  },
});
