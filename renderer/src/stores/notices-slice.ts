import type { StateCreator } from 'zustand';
import type { AppState, NoticesSlice } from './types';

const MAX_NOTICES = 5;
let nextNoticeId = 1;

export const createNoticesSlice = (): StateCreator<AppState, [], [], NoticesSlice> => (set) => ({
  notices: [],
  pushNotice: (notice) =>
    set((state) => ({ notices: [...state.notices, { ...notice, id: nextNoticeId++ }].slice(-MAX_NOTICES) })),
  dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
});
