import type {
  AppError, BackendInfo, ConversionStatus, DesktopStatus, DownloadStatus, DictationStatus, EngineProgress, ErrorEvent, FinalTranscript, HistoryEntry,
  ModelSummary, Notice, PartialTranscript, QuantOption, Settings, SettingsPatch, SpeechActivity, UpdateStatus, ViewName,
} from '../../../electron/common/ipc-contract';

export type { ViewName };

export interface UiSlice {
  view: ViewName;
  setView(view: ViewName): void;
}

export interface SettingsSlice {
  settings: Settings | null;
  backends: BackendInfo[];
  /** Whether the global hotkey and insertion work here (null until known). */
  desktop: DesktopStatus | null;
  /** Whether a newer version is out (null until known). */
  update: UpdateStatus | null;
  /** The last failed settings change, in plain words; cleared by the next success. */
  settingsError: string | null;
  lastSavedAt: number | null;
  modelSummary: ModelSummary | null;
  modelError: AppError | null;
  inspectingModel: boolean;
  loadSettings(): Promise<void>;
  updateSettings(patch: SettingsPatch): Promise<boolean>;
  resetSettings(): Promise<void>;
  inspectModel(): Promise<void>;
  /** Picks a model file with the system dialog and saves it in the settings. */
  chooseModelFile(which: 'pte' | 'ptd'): Promise<void>;
  applySettings(settings: Settings): void;
  applyDesktopStatus(status: DesktopStatus): void;
  applyUpdateStatus(status: UpdateStatus): void;
  /** Asks the release feed now (Settings' "Check now"). */
  checkForUpdates(): Promise<void>;
}

export interface DictationSlice {
  status: DictationStatus;
  /** The transcript of the current (or last) session, live. */
  transcript: string;
  transcriptSessionId: string | null;
  lastFinal: FinalTranscript | null;
  dictationError: AppError | null;
  /** The History entry holding the failed dictation's recording (dictationError's), to transcribe it again. */
  failedRecordingId: string | null;
  progress: EngineProgress | null;
  /** The voice-activity detector hears speech now. */
  speaking: boolean;
  /** The file being transcribed, if any: `label` names it; `entryId` when it is a History entry's recording again. */
  fileJob: { jobId: string; label: string; entryId: string | null } | null;
  /** Files dropped while one was being transcribed, transcribed next in order. */
  fileQueue: { path: string; label: string }[];
  /** The file job's first progress report (when the engine began on it), for the time left. */
  fileProgressStart: { at: number; fraction: number } | null;
  transcribeFile(): Promise<void>;
  /** Transcribes a History entry's recording again (the entry's text is replaced when it is done). */
  retranscribeHistoryEntry(entry: HistoryEntry): Promise<void>;
  /** The same for the recording of the dictation that just failed (failedRecordingId). */
  retranscribeFailedDictation(): Promise<void>;
  /** Transcribes the audio files dropped on the window, one after another. */
  transcribeDroppedFiles(files: readonly File[]): Promise<void>;
  cancelFileTranscription(): Promise<void>;
  startDictation(): Promise<void>;
  stopDictation(): Promise<void>;
  cancelDictation(): Promise<void>;
  applyStatus(status: DictationStatus): void;
  applyPartial(partial: PartialTranscript): void;
  applyFinal(final: FinalTranscript): void;
  applyError(error: ErrorEvent): void;
  applyProgress(progress: EngineProgress): void;
  applySpeech(activity: SpeechActivity): void;
}

export interface HistorySlice {
  historyEntries: HistoryEntry[];
  historyTotal: number;
  historyQuery: string;
  historyError: string | null;
  historyLoading: boolean;
  loadHistory(): Promise<void>;
  setHistoryQuery(query: string): Promise<void>;
  deleteHistoryEntry(id: string): Promise<void>;
  clearHistory(): Promise<void>;
  /** Saves the entries shown (all, or the search's) to a file the user picks. */
  exportHistory(): Promise<void>;
  /** Replaces an entry's text with the user's correction; resolves false (and says why) if it could not. */
  editHistoryEntry(id: string, text: string): Promise<boolean>;
  /** Saves a transcribed file's entry as subtitles where the user picks. */
  saveSubtitles(id: string): Promise<void>;
}

export interface ConversionSlice {
  /** The folders chosen for "Make a model" (null until chosen). */
  conversionFolders: { checkpoint: string | null; out: string | null };
  conversionQuant: QuantOption;
  /** The latest status of the running (or last) job. */
  conversion: ConversionStatus | null;
  /** Why a choice or the start failed, in plain words. */
  conversionError: string | null;
  chooseConversionFolder(which: 'checkpoint' | 'out'): Promise<void>;
  setConversionQuant(quant: QuantOption): void;
  startConversion(): Promise<void>;
  cancelConversion(): Promise<void>;
  applyConversion(status: ConversionStatus): void;
  /** The checkpoint download (Hugging Face), running or last. */
  download: DownloadStatus | null;
  /** Asks for a folder and downloads (or resumes) the checkpoint into it. */
  downloadCheckpoint(): Promise<void>;
  cancelDownload(): Promise<void>;
  applyDownload(status: DownloadStatus): void;
}

export interface NoticesSlice {
  notices: (Notice & { id: number })[];
  pushNotice(notice: Notice): void;
  dismissNotice(id: number): void;
}

export type AppState = UiSlice & SettingsSlice & DictationSlice & HistorySlice & NoticesSlice & ConversionSlice;
