import type { StateCreator } from 'zustand';
import type { VoxtralClient } from '../ipc/client';
import type { AppState, ConversionSlice } from './types';

/** "Make a model": two folders chosen with the system dialog, a weight size, one job at a time. */
export const createConversionSlice = (client: VoxtralClient): StateCreator<AppState, [], [], ConversionSlice> => (set, get) => ({
  conversionFolders: { checkpoint: null, out: null },
  conversionQuant: '4w',
  conversion: null,
  conversionError: null,

  async chooseConversionFolder(which) {
    const chosen = await client.call('chooseFile', { purpose: which === 'checkpoint' ? 'checkpoint-folder' : 'model-folder' });
    if (!chosen.ok) set({ conversionError: chosen.error.message });
    else if (chosen.value.path) set({ conversionFolders: { ...get().conversionFolders, [which]: chosen.value.path }, conversionError: null });
  },

  setConversionQuant: (quant) => set({ conversionQuant: quant }),

  async startConversion() {
    const { checkpoint, out } = get().conversionFolders;
    if (!checkpoint || !out) {
      set({ conversionError: 'Choose the checkpoint folder and the folder for the new model first.' });
      return;
    }
    set({ conversionError: null });
    const result = await client.call('convertCheckpoint', { checkpointDir: checkpoint, outDir: out, quant: get().conversionQuant });
    // The job's statuses arrive as 'conversion' events; the first may come before this answer.
    if (!result.ok) set({ conversionError: result.error.message });
  },

  async cancelConversion() {
    const job = get().conversion;
    if (!job || job.state !== 'running') return;
    const result = await client.call('cancelConversion', { jobId: job.jobId });
    if (!result.ok) set({ conversionError: result.error.message });
  },

  applyConversion(status) {
    set({ conversion: status });
    // The settings now name the new pair; the last check was of the old one.
    if (status.state === 'done') set({ modelSummary: null, modelError: null });
  },
});
