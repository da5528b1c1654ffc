// Channel names of the IPC contract (see ipc-contract.ts for what travels on each). Kept apart
// from the validators so the preload bundles nothing but these strings.

export const CALL_CHANNELS = {
  getSettings: 'dictate:settings:get',
  updateSettings: 'dictate:settings:update',
  resetSettings: 'dictate:settings:reset',
  inspectModel: 'dictate:model:inspect',
  listBackends: 'dictate:backends:list',
  getDictationStatus: 'dictate:dictation:status',
  startDictation: 'dictate:dictation:start',
  stopDictation: 'dictate:dictation:stop',
  cancelDictation: 'dictate:dictation:cancel',
  listHistory: 'dictate:history:list',
  searchHistory: 'dictate:history:search',
  deleteHistoryEntry: 'dictate:history:delete',
  clearHistory: 'dictate:history:clear',
  retranscribeHistoryEntry: 'dictate:history:retranscribe',
  exportHistory: 'dictate:history:export',
  saveSubtitles: 'dictate:history:save-subtitles',
  editHistoryEntry: 'dictate:history:edit',
  transcribeFile: 'dictate:file:transcribe',
  cancelFileTranscription: 'dictate:file:cancel',
  takePendingNotices: 'dictate:notices:take',
  chooseFile: 'dictate:dialog:choose-file',
  getDesktopStatus: 'dictate:desktop:status',
  convertCheckpoint: 'dictate:model:convert',
  cancelConversion: 'dictate:model:convert-cancel',
  downloadCheckpoint: 'dictate:model:download',
  cancelDownload: 'dictate:model:download-cancel',
  getUpdateStatus: 'dictate:updates:status',
  checkForUpdates: 'dictate:updates:check',
} as const;

export const EVENT_CHANNELS = {
  state: 'dictate:event:state',
  partial: 'dictate:event:partial',
  final: 'dictate:event:final',
  progress: 'dictate:event:progress',
  error: 'dictate:event:error',
  notice: 'dictate:event:notice',
  settings: 'dictate:event:settings',
  history: 'dictate:event:history',
  speech: 'dictate:event:speech',
  level: 'dictate:event:level',
  navigate: 'dictate:event:navigate',
  desktop: 'dictate:event:desktop',
  conversion: 'dictate:event:conversion',
  download: 'dictate:event:download',
  update: 'dictate:event:update',
} as const;

/** The renderer asks for a port on this channel (ipcRenderer.send, no payload). */
export const AUDIO_PORT_REQUEST_CHANNEL = 'dictate:audio:open-port';
/** Main answers with the port on this channel (webContents.postMessage, transfer list). */
export const AUDIO_PORT_CHANNEL = 'dictate:audio:port';
/** The preload hands the port to the page as window.postMessage({ type: this }, origin, [port]). */
export const AUDIO_PORT_WINDOW_MESSAGE = 'voxtral:audio-port';

/**
 * A file dropped on the window: the preload finds its path on disk (Electron's webUtils) and sends
 * it here (ipcRenderer.invoke) so main records it as picked by the user, like a dialog choice.
 * Not in CALL_CHANNELS: the page cannot send a path of its own, only hand the preload a File.
 */
export const DROPPED_FILE_CHANNEL = 'dictate:file:dropped';
