// The system open-file (or open-folder) dialog for the contract's chooseFile call.

import { app, BrowserWindow, dialog, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import path from 'node:path';
import { DROPPABLE_AUDIO_EXTENSIONS, type FilePurpose } from '../common/ipc-contract';
import type { FileChooser } from '../core/app/services';

const DIALOGS: Record<FilePurpose, OpenDialogOptions & { properties: OpenDialogOptions['properties'] }> = {
  'model-program': { title: 'Choose the model program', filters: [{ name: 'ExecuTorch program', extensions: ['pte'] }], properties: ['openFile'] },
  'model-weights': { title: 'Choose the model weights', filters: [{ name: 'ExecuTorch weights', extensions: ['ptd'] }], properties: ['openFile'] },
  audio: {
    title: 'Choose an audio file to transcribe',
    filters: [{ name: 'Audio', extensions: DROPPABLE_AUDIO_EXTENSIONS.map((ext) => ext.slice(1)) }, { name: 'All files', extensions: ['*'] }],
    properties: ['openFile'],
  },
  'checkpoint-folder': {
    title: 'Choose the Mistral checkpoint folder (params.json, consolidated.safetensors, tekken.json)',
    properties: ['openDirectory'],
  },
  'model-folder': { title: 'Choose an empty folder for the new model', properties: ['openDirectory', 'createDirectory'] },
  'download-folder': { title: 'Choose a folder for the downloaded checkpoint (about 8.9 GB)', properties: ['openDirectory', 'createDirectory'] },
};

export const electronFileChooser: FileChooser = {
  async choose(purpose) {
    const options: OpenDialogOptions = DIALOGS[purpose];
    const parent = BrowserWindow.getFocusedWindow();
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  },
  async chooseMany(purpose) {
    const options: OpenDialogOptions = { ...DIALOGS[purpose], properties: [...DIALOGS[purpose].properties ?? [], 'multiSelections'] };
    const parent = BrowserWindow.getFocusedWindow();
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  },
  async chooseSaveFile({ title, defaultName, filters }) {
    const options: SaveDialogOptions = { title, defaultPath: path.join(app.getPath('documents'), defaultName), filters, properties: ['createDirectory', 'showOverwriteConfirmation'] };
    const parent = BrowserWindow.getFocusedWindow();
    const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? null : result.filePath;
  },
};
