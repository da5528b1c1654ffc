// The system open-file dialog for the contract's chooseFile call.

import { BrowserWindow, dialog, type OpenDialogOptions } from 'electron';
import type { FilePurpose } from '../common/ipc-contract';
import type { FileChooser } from '../core/app/services';

const DIALOGS: Record<FilePurpose, OpenDialogOptions> = {
  'model-program': { title: 'Choose the model program', filters: [{ name: 'ExecuTorch program', extensions: ['pte'] }] },
  'model-weights': { title: 'Choose the model weights', filters: [{ name: 'ExecuTorch weights', extensions: ['ptd'] }] },
  audio: {
    title: 'Choose an audio file to transcribe',
    filters: [{ name: 'Audio', extensions: ['wav', 'flac', 'mp3', 'ogg', 'opus', 'm4a', 'webm'] }],
  },
};

export const electronFileChooser: FileChooser = {
  async choose(purpose) {
    const options: OpenDialogOptions = { ...DIALOGS[purpose], properties: ['openFile'] };
    const parent = BrowserWindow.getFocusedWindow();
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  },
};
