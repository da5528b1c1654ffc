// The one Electron-only step of a file drop, kept apart so everything around it runs in tests
// without Electron: the path on disk of a File the user dropped (or picked in a file input).
// Electron gives '' for a File made by page script, which main then refuses.

import { webUtils } from 'electron';

export function pathForFile(file: File): string {
  return webUtils.getPathForFile(file);
}
