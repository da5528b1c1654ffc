import type { StateCreator } from 'zustand';
import type { VoxtralClient } from '../ipc/client';
import type { AppState, ConversionSlice } from './types';

/** "Make a model": two folders chosen with the system dialog, a weight size, one job at a time. */
export const createConversionSlice = (client: VoxtralClient): StateCreator<AppState, [], [], ConversionSlice> => (set, get) => ({
  conversionFolders: { checkpoint: null, out: null },
  conversionQuant: '4w',
  conversion: null,
  conversionError: null,
  download: null,

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

  async downloadCheckpoint() {
    const chosen = await client.call('chooseFile', { purpose: 'download-folder' });
    if (!chosen.ok) set({ conversionError: chosen.error.message });
    if (!chosen.ok || !chosen.value.path) return;
    set({ conversionError: null });
    const result = await client.call('downloadCheckpoint', { dir: chosen.value.path });
    if (!result.ok) set({ conversionError: result.error.message });
  },

  async cancelDownload() {
    const job = get().download;
    if (!job || job.state !== 'running') return;
    const result = await client.call('cancelDownload', { jobId: job.jobId });
    if (!result.ok) set({ conversionError: result.error.message });
  },

  applyDownload(status) {
    set({ download: status });
    // A finished download is the checkpoint to make the model from.
    if (status.state === 'done') set({ conversionFolders: { ...get().conversionFolders, checkpoint: status.dir } });
  },

  applyConversion(status) {
    set({ conversion: status });
    // The settings now name the new pair; the last check was of the old one.
    if (status.state === 'done') set({ modelSummary: null, modelError: null });
  },
});
