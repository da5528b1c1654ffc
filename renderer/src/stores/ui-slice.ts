import type { StateCreator } from 'zustand';
import { VIEW_NAMES, type ViewName } from '../../../electron/common/ipc-contract';
import type { AppState, UiSlice } from './types';

/** The view named by the page's hash (main opens `index.html#settings` from the tray). */
export function viewFromHash(hash: string): ViewName {
  const name = hash.replace(/^#/, '');
  return (VIEW_NAMES as readonly string[]).includes(name) ? (name as ViewName) : 'dictate';
}

export const createUiSlice = (): StateCreator<AppState, [], [], UiSlice> => (set) => ({
  view: typeof location === 'undefined' ? 'dictate' : viewFromHash(location.hash),
  setView: (view) => set({ view }),
});
