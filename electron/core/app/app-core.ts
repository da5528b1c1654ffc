// AppCore: the main-process core behind the IPC contract. It owns the settings and history
// stores, wires the dictation and model services to them, and answers every contract call as a
// plain async function. Electron's ipcMain (electron/main/ipc.ts) and the browser harness
// (electron/harness/) both drive this same object; neither adds logic of its own.

import {
  isCallName, requestValidators, validateAudioPortMessage,
  type AppEvent, type CallName, type CallRequest, type CallResponse, type ConversionStatus, type DesktopStatus, type Notice, type Result,
  type Settings,
} from '../../common/ipc-contract';
import { levelOf } from '../../common/audio-level';
import type { TimedText } from '../../common/subtitles';
import { check } from '../../common/validate';
import { HistoryActions } from '../history/history-actions';
import { HistoryStore } from '../history/history-store';
import { RecordingRetention } from '../history/recording-retention';
import { RecordingStore } from '../history/recording-store';
import { WordTimingsStore } from '../history/word-timings-store';
import { CheckpointConverter, type PackRunner } from '../models/checkpoint-converter';
import { CheckpointDownloader, type DownloaderOptions } from '../models/checkpoint-download';
import { SettingsError, SettingsStore } from '../settings/settings-store';
import { SerialQueue } from './json-file';
import { AppFailure } from './app-failure';
import { HistoryRecorder } from './history-recorder';
import { UpdateChecker } from './update-checker';
import type { DictationService, FileChooser, ModelService } from './services';
import { UnavailableDictationService, UnavailableFileChooser, UnavailableModelService } from './unavailable-services';

export interface AppCoreOptions {
  /** Where settings.json and history.json live (Electron: app.getPath('userData')). */
  configDir: string;
  createDictation?: (deps: {
    settings: () => Settings;
    /** Settings changes (the controller reloads the model, retunes the VAD). */
    onSettingsChange: (listener: (settings: Settings) => void) => () => void;
    /** A notice for the user, shown when the window starts listening. */
    notify: (notice: Notice) => void;
    /** Every frame the engine hears in a dictation (the history's recordings). */
    audioTap: (frame: Float32Array, sessionId: string) => void;
    /** A file job's words and their times (kept for its History entry's subtitles). */
    fileWords: (jobId: string, words: TimedText[]) => void;
  }) => DictationService;
  models?: ModelService;
  files?: FileChooser;
  /** Runs the packs of "Make a model" (bundledPackRunner in the app); absent: that call answers 'unavailable'. */
  packRunner?: PackRunner;
  /** The checkpoint download's Hub and fetch (tests: a local server); default Hugging Face. */
  download?: DownloaderOptions;
  /** Where unexpected errors are reported (defaults to console.error). */
  log?: (message: string, err?: unknown) => void;
  /** Total size of the recordings kept (tests: small); default RecordingStore's. */
  maxRecordingBytes?: number;
  /**
   * The release feed asked for newer versions (main: GitHub's, with the app's version); absent,
   * the app never asks (the harness, tests) and Settings says so.
   */
  updates?: { feedUrl: string; currentVersion: string; fetch?: typeof fetch; firstCheckDelayMs?: number };
}

type Handlers = { [K in CallName]: (request: CallRequest<K>) => Promise<CallResponse<K>> };

export class AppCore {
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private readonly dictationEvents = new SerialQueue();
  private readonly conversionEvents = new SerialQueue();
  private readonly converter: CheckpointConverter;
  private readonly downloader: CheckpointDownloader;
  private readonly disposers: (() => void)[] = [];
  private readonly handlers: Handlers;
  private readonly retention: RecordingRetention | null;
  private readonly updates: UpdateChecker;
  private noticesTaken = false;
  private desktopStatus: DesktopStatus = { hotkey: null, insertion: null };

  private constructor(
    readonly settings: SettingsStore,
    readonly history: HistoryStore,
    private readonly recorder: HistoryRecorder,
    private readonly recordings: RecordingStore | null,
    private readonly timings: WordTimingsStore,
    readonly dictation: DictationService,
    private readonly models: ModelService,
    private readonly files: FileChooser,
    private pendingNotices: Notice[],
    private readonly log: (message: string, err?: unknown) => void,
    packRunner: PackRunner | null,
    download: DownloaderOptions,
    maxRecordingBytes: number | undefined,
    configDir: string,
    updates: AppCoreOptions['updates'],
  ) {
    this.updates = new UpdateChecker({
      currentVersion: updates?.currentVersion ?? '0.0.0', feedUrl: updates?.feedUrl ?? null, fetch: updates?.fetch,
      enabled: () => settings.get().checkForUpdates, stateDir: configDir,
      onStatus: (status) => this.emit({ name: 'update', payload: status }),
      announce: (status) => this.noticeLater({
        kind: 'info',
        message: `Voxtral Dictate ${status.latest?.version} is out (this is ${status.current}).`,
        link: { label: 'See what is new and download it', url: status.latest!.url },
      }),
    });
    this.updates.start(updates?.firstCheckDelayMs);
    this.downloader = new CheckpointDownloader((status) => this.emit({ name: 'download', payload: status }), download);
    this.converter = new CheckpointConverter(packRunner, (status) => {
      void this.conversionEvents.run(() => this.conversionFinished(status)).catch((err) => log('conversion event failed', err));
    });
    this.retention = new RecordingRetention(recordings, timings, history, settings.get(), log, maxRecordingBytes);
    void this.retention?.sweep();
    this.handlers = this.createHandlers(recorder);
    this.disposers.push(
      settings.onChange((value) => {
        this.emit({ name: 'settings', payload: value });
        void history.setMaxEntries(value.history.maxEntries).catch((err) => log('history prune failed', err));
        this.retention?.settingsChanged(value);
        this.updates.settingChanged();
      }),
      history.onChange((change) => {
        this.retention?.historyChanged(change);
        this.emit({ name: 'history', payload: change });
      }),
      dictation.onEvent((event) => {
        // Serial, so the renderer sees events in the order the service raised them.
        void this.dictationEvents.run(async () => this.emit(await recorder.record(event)))
          .catch((err) => log('dictation event failed', err));
      }),
    );
  }

  static async create(options: AppCoreOptions): Promise<AppCore> {
    const notices: Notice[] = [];
    let created: AppCore | null = null;
    // Before the core exists notices wait in `notices`; after, it decides (e.g. the VAD load fails later).
    const onNotice = (notice: Notice) => (created ? created.noticeLater(notice) : notices.push(notice));
    const settings = await SettingsStore.open(options.configDir, { onNotice });
    const history = await HistoryStore.open(options.configDir, { onNotice, maxEntries: settings.get().history.maxEntries });
    const log = options.log ?? ((message, err) => console.error(`[core] ${message}`, err ?? ''));
    // Without a usable recordings folder, dictation goes on unrecorded.
    const recordings = await RecordingStore.open(options.configDir).catch((err) => {
      log('recordings unavailable', err);
      return null;
    });
    const settingsNow = () => settings.get();
    const timings = await WordTimingsStore.open(options.configDir);
    const recorder = new HistoryRecorder(history, settingsNow, {
      recordings, timings, log, onSaveFailed: (message) => created?.notify({ kind: 'info', message }),
    });
    const dictation = options.createDictation?.({
      settings: settingsNow, onSettingsChange: (l) => settings.onChange(l), notify: onNotice,
      audioTap: (frame, sessionId) => recorder.audioFrame(frame, sessionId),
      fileWords: (jobId, words) => recorder.fileWords(jobId, words),
    }) ?? new UnavailableDictationService(settingsNow);
    const models = options.models ?? new UnavailableModelService();
    created = new AppCore(settings, history, recorder, recordings, timings, dictation, models, options.files ?? new UnavailableFileChooser(), notices, log,
      options.packRunner ?? null, options.download ?? {}, options.maxRecordingBytes, options.configDir, options.updates);
    return created;
  }

  /** Validates and answers one contract call. Never throws. */
  async call(name: unknown, request: unknown): Promise<Result<unknown>> {
    if (!isCallName(name)) return failure('invalid-request', `Unknown call: ${String(name).slice(0, 80)}`);
    const valid = check(requestValidators[name] as (v: unknown) => unknown, request);
    if (!valid.ok) return failure('invalid-request', `Invalid ${name} request: ${valid.message}`);
    try {
      const handler = this.handlers[name] as (req: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(valid.value) };
    } catch (err) {
      if (err instanceof AppFailure) return { ok: false, error: err.toAppError() };
      if (err instanceof SettingsError) return failure('invalid-request', err.message);
      this.log(`${name} failed`, err);
      const code = (err as NodeJS.ErrnoException)?.code ? 'io' : 'internal';
      return failure(code, `${name} failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** One message from the renderer's audio port; false (and nothing forwarded) when invalid. */
  acceptAudio(message: unknown): boolean {
    const valid = check(validateAudioPortMessage, message);
    if (!valid.ok) return false;
    if (valid.value.type === 'end') {
      this.dictation.endAudio();
      this.emit({ name: 'level', payload: 0 });
    } else {
      this.dictation.pushAudio(valid.value.samples, valid.value.seq);
      this.emit({ name: 'level', payload: levelOf(valid.value.samples) });
    }
    return true;
  }

  /** Main reports what works outside the window (hotkey, insertion); windows are told. */
  setDesktopStatus(status: DesktopStatus): void {
    this.desktopStatus = structuredClone(status);
    this.emit({ name: 'desktop', payload: structuredClone(status) });
  }

  /** A service's notice: kept for the window's first takePendingNotices, sent as an event after it. */
  private noticeLater(notice: Notice): void {
    if (this.noticesTaken) this.notify(notice);
    else this.pendingNotices.push(notice);
  }

  /** Tells every window something it should know (e.g. why a hotkey dictation failed). */
  notify(notice: Notice): void {
    this.emit({ name: 'notice', payload: notice });
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The recording of history entry `id` to play (main and the harness serve it), or null. */
  recordingFile(id: string): string | null {
    return this.recordings?.file(id) ?? null;
  }

  /** Stops dictation, writes pending history; call once on quit. */
  async close(): Promise<void> {
    for (const dispose of this.disposers) dispose();
    this.updates.dispose();
    await this.converter.dispose().catch((err) => this.log('conversion cancel failed', err));
    await this.downloader.dispose();
    await this.conversionEvents.run(async () => undefined);
    await this.dictation.dispose().catch((err) => this.log('dictation dispose failed', err));
    await this.dictationEvents.run(async () => undefined);
    this.retention?.dispose();
    await this.recordings?.close();
    await this.history.flush();
    await this.settings.flush();
  }

  /** A made model becomes the one in use (the user asked for it to dictate with), then windows hear. */
  private async conversionFinished(status: ConversionStatus): Promise<void> {
    try {
      if (status.state === 'done' && status.model) await this.settings.update({ model: status.model });
    } finally {
      this.emit({ name: 'conversion', payload: status }); // the window hears the job ended even if saving failed
    }
  }

  private emit(event: AppEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log(`event listener failed on ${event.name}`, err);
      }
    }
  }

  private createHandlers(recorder: HistoryRecorder): Handlers {
    const { settings, history, dictation, models, files } = this;
    const entries = new HistoryActions(history, this.recordings, this.timings, files, () => settings.get().replacements);
    return {
      getSettings: async () => settings.get(),
      updateSettings: (patch) => settings.update(patch),
      resetSettings: () => settings.reset(),
      inspectModel: (paths) => models.inspect(paths),
      listBackends: () => models.listBackends(),
      getDictationStatus: async () => dictation.status(),
      startDictation: () => dictation.start(),
      stopDictation: async () => {
        const final = await dictation.stop();
        return final ? recorder.finish(final) : null;
      },
      cancelDictation: () => dictation.cancel(),
      listHistory: async ({ offset, limit }) => entries.annotate(history.list(offset, limit)),
      searchHistory: async ({ query, limit }) => entries.annotate(history.search(query, limit)),
      deleteHistoryEntry: async ({ id }) => ({ deleted: await history.delete(id) }),
      clearHistory: async () => ({ deleted: await history.clear() }),
      exportHistory: ({ query }) => entries.export(query),
      editHistoryEntry: async ({ id, text }) => ({ entry: await entries.edit(id, text) }),
      saveSubtitles: ({ id }) => entries.saveSubtitles(id),
      retranscribeHistoryEntry: async ({ id }) => {
        const started = await dictation.transcribeFile(entries.recordingFor(id));
        recorder.retranscribeAs(started.jobId, id);
        return started;
      },
      transcribeFile: ({ path }) => dictation.transcribeFile(path),
      cancelFileTranscription: async ({ jobId }) => ({ cancelled: await dictation.cancelFile(jobId) }),
      chooseFile: async ({ purpose, many }) => {
        if (!many || !files.chooseMany) return { path: await files.choose(purpose) };
        const paths = await files.chooseMany(purpose);
        return { path: paths[0] ?? null, paths };
      },
      getDesktopStatus: async () => structuredClone(this.desktopStatus),
      convertCheckpoint: async (request) => this.converter.start(request),
      cancelConversion: async ({ jobId }) => ({ cancelled: await this.converter.cancel(jobId) }),
      downloadCheckpoint: async ({ dir }) => this.downloader.start(dir),
      cancelDownload: async ({ jobId }) => ({ cancelled: await this.downloader.cancel(jobId) }),
      getUpdateStatus: async () => this.updates.status(),
      checkForUpdates: () => this.updates.check(),
      takePendingNotices: async () => {
        const notices = this.pendingNotices;
        this.pendingNotices = [];
        this.noticesTaken = true;
        return notices;
      },
    };
  }
}

function failure(code: 'invalid-request' | 'io' | 'internal', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
