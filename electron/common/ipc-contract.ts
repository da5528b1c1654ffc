// The one contract between the renderer and the main-process core: channel names, payload types
// and a runtime validator for every payload. Main, preload, renderer and the browser harness all
// import it (the preload only the types and channel names). Calls never throw across the boundary:
// they answer a Result, because Electron drops everything but the message of a thrown error.

import {
  arrayOf, bool, float32Array, int, isPlainObject, literal, none, nullable, num, object, oneOf,
  optional, partialObject, recordOf, scalar, str, taggedUnion, ValidationError, type Validator,
} from './validate';
import {
  AUDIO_PORT_CHANNEL, AUDIO_PORT_REQUEST_CHANNEL, AUDIO_PORT_WINDOW_MESSAGE, CALL_CHANNELS, DROPPED_FILE_CHANNEL, EVENT_CHANNELS,
} from './ipc-channels';

export { AUDIO_PORT_CHANNEL, AUDIO_PORT_REQUEST_CHANNEL, AUDIO_PORT_WINDOW_MESSAGE, CALL_CHANNELS, DROPPED_FILE_CHANNEL, EVENT_CHANNELS };

// ── Shared value types ──────────────────────────────────────────────────────────────────────────

export const BACKENDS = ['cpu', 'cuda'] as const;
/** What Settings may ask for: a backend, or 'auto' (CUDA where a usable GPU is, else the CPU). */
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendId = (typeof BACKENDS)[number];
export const WEIGHT_DTYPES = ['fp32', 'bf16'] as const;
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];
/** When the microphone stays open outside a dictation (Settings.microphone.keepOpen). */
export const MIC_KEEP_OPEN = ['always', 'minute', 'dictating'] as const;
export type MicKeepOpen = (typeof MIC_KEEP_OPEN)[number];
/** How long a dictation's recording is kept beside its history entry (Settings.history.keepAudio). */
export const KEEP_AUDIO = ['off', 'week', 'month', 'forever'] as const;
export type KeepAudio = (typeof KEEP_AUDIO)[number];
export const HOTKEY_MODES = ['hold', 'toggle', 'both'] as const;
export type HotkeyMode = (typeof HOTKEY_MODES)[number];
export const INSERTION_MODES = ['paste', 'type', 'clipboard'] as const;
export type InsertionMode = (typeof INSERTION_MODES)[number];
export const DICTATION_STATES = ['idle', 'loading', 'listening', 'finishing', 'error'] as const;
export type DictationState = (typeof DICTATION_STATES)[number];
export const TRANSCRIPT_SOURCES = ['mic', 'file'] as const;
export type TranscriptSource = (typeof TRANSCRIPT_SOURCES)[number];

/** Codes the renderer may branch on; the message is for people. */
export const ERROR_CODES = [
  'invalid-request', // a payload failed validation
  'forbidden', // the sender is not the app's own page
  'no-model', // no model is configured or loaded
  'model-invalid', // the model files are unreadable or not a Voxtral pair
  'busy', // another dictation or job is running
  'not-found',
  'io', // a file could not be read or written
  'engine', // the native engine failed
  'unavailable', // the feature or backend is not available on this machine/build
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Audio sent over the frame port: 16 kHz mono float32, 80 ms per frame. */
export const AUDIO_SAMPLE_RATE = 16_000;
export const AUDIO_FRAME_SAMPLES = 1280;
/** Upper bound for one frame message; anything larger is rejected, never buffered. */
export const AUDIO_FRAME_MAX_SAMPLES = AUDIO_SAMPLE_RATE;

// ── Settings ────────────────────────────────────────────────────────────────────────────────────

export interface Settings {
  /** The model pair; null until the user picks one (the .ptd may be embedded in the .pte). */
  model: { pte: string | null; ptd: string | null };
  /**
   * backend 'auto': CUDA where a usable GPU is, else the CPU (resolved when the model loads).
   * threads 0 = choose automatically. gpu: the CUDA GPU's id (`GpuInfo.id`, stable across reboots
   * and device order); null = the first usable GPU. unloadAfterMinutes: free the loaded model once
   * unused this long (0 = keep it loaded).
   */
  engine: { backend: BackendChoice; dtype: WeightDtype; threads: number; gpu: string | null; unloadAfterMinutes: number };
  /**
   * deviceId null = the system default microphone. keepOpen: when the microphone is open outside a
   * dictation ('always': the next one starts at once, with the moment before the press; 'minute':
   * for a minute after each dictation; 'dictating': only while one runs, so the system's
   * microphone indicator is off in between).
   */
  microphone: { deviceId: string | null; keepOpen: MicKeepOpen };
  /** pasteLast: the hotkey that pastes the newest dictation's text again ('' = none). */
  hotkey: { accelerator: string; mode: HotkeyMode; pasteLast: string };
  /**
   * spaceBetween: a dictation that continues where the last one ended (no key pressed or click
   * since, as the global hook saw it) starts with a space. perApp: modes for named apps, first
   * match wins (where the focused app can be told: X11).
   */
  insertion: { mode: InsertionMode; spaceBetween: boolean; perApp: AppInsertionRule[] };
  /**
   * Voice activity: `enabled` stops a dictation after `silenceMs` of silence following speech;
   * `startOnSpeech` also starts one when speech begins (optional in the type so settings written
   * before it existed still type-check; the store always fills it in, default false).
   */
  handsFree: {
    enabled: boolean;
    startOnSpeech?: boolean;
    silenceMs: number;
    minSpeechMs: number;
    threshold: number;
  };
  history: { enabled: boolean; maxEntries: number; keepAudio: KeepAudio };
  replacements: ReplacementSettings;
  startAtLogin: boolean;
  showOverlay: boolean;
  /** Short tones when a dictation starts, stops, is cancelled or fails (default off). */
  playSounds: boolean;
  /** Ask the release feed once a day whether a newer version is out (default on; sends nothing else). */
  checkForUpdates: boolean;
}

/** In `app` (its window class, any case), put text in by `mode`. */
export interface AppInsertionRule {
  app: string;
  mode: InsertionMode;
}
export const MAX_APP_RULES = 100;
export const MAX_APP_NAME_CHARS = 200;

export interface ReplacementRule {
  /** What is said, e.g. "new paragraph" (whole words, any case, spaces as one). */
  spoken: string;
  /** What is written instead; may be empty (the words are dropped) or hold newlines. */
  written: string;
}
export const MAX_REPLACEMENT_RULES = 500;
export const MAX_SPOKEN_CHARS = 200;
export const MAX_WRITTEN_CHARS = 2000;

/**
 * rules: words said → text written, applied as the transcript streams (whole words, any case).
 * words: the user's names and terms, written exactly as listed where a heard word is the same in
 * another case or a near miss of one (optional in the type so settings written before it existed
 * still type-check; read as [] when absent).
 */
export type ReplacementSettings = {
  rules: ReplacementRule[];
  words?: string[];
};
export const MAX_VOCABULARY_WORDS = 500;
export const MAX_VOCABULARY_WORD_CHARS = 60;

export type SettingsPatch = {
  [K in keyof Settings]?: Settings[K] extends Record<string, unknown> ? Partial<Settings[K]> : Settings[K];
};

const path = str({ min: 1, max: 4096 });

type SectionShape<T> = { [K in keyof T]-?: Validator<T[K]> };
type SectionShapes = { [K in keyof Settings as Settings[K] extends Record<string, unknown> ? K : never]: SectionShape<Settings[K]> };

const sectionShapes: SectionShapes = {
  model: { pte: nullable(path), ptd: nullable(path) },
  engine: { backend: oneOf(BACKEND_CHOICES), dtype: oneOf(WEIGHT_DTYPES), threads: int(0, 256), gpu: nullable(str({ min: 1, max: 200 })), unloadAfterMinutes: int(0, 1440) },
  microphone: { deviceId: nullable(str({ min: 1, max: 512 })), keepOpen: oneOf(MIC_KEEP_OPEN) },
  hotkey: { accelerator: str({ min: 1, max: 100 }), mode: oneOf(HOTKEY_MODES), pasteLast: str({ max: 100 }) },
  insertion: {
    mode: oneOf(INSERTION_MODES), spaceBetween: bool,
    perApp: arrayOf(object<AppInsertionRule>({ app: str({ min: 1, max: MAX_APP_NAME_CHARS }), mode: oneOf(INSERTION_MODES) }), { max: MAX_APP_RULES }),
  },
  handsFree: {
    enabled: bool,
    startOnSpeech: optional(bool),
    silenceMs: int(200, 10_000),
    minSpeechMs: int(0, 5_000),
    threshold: num({ min: 0.05, max: 0.95 }),
  },
  history: { enabled: bool, maxEntries: int(1, 100_000), keepAudio: oneOf(KEEP_AUDIO) },
  replacements: {
    rules: arrayOf(object<ReplacementRule>({ spoken: str({ min: 1, max: MAX_SPOKEN_CHARS }), written: str({ max: MAX_WRITTEN_CHARS }) }), { max: MAX_REPLACEMENT_RULES }),
    words: optional(arrayOf(str({ min: 1, max: MAX_VOCABULARY_WORD_CHARS }), { max: MAX_VOCABULARY_WORDS })),
  },
};

/** One validator per top-level settings key (the store repairs a damaged file section by section). */
export const settingsSectionValidators: { [K in keyof Settings]: Validator<Settings[K]> } = {
  model: object(sectionShapes.model),
  engine: object(sectionShapes.engine),
  microphone: object(sectionShapes.microphone),
  hotkey: object(sectionShapes.hotkey),
  insertion: object(sectionShapes.insertion),
  handsFree: object(sectionShapes.handsFree),
  history: object(sectionShapes.history),
  replacements: object(sectionShapes.replacements),
  startAtLogin: bool,
  showOverlay: bool,
  playSounds: bool,
  checkForUpdates: bool,
};

export const validateSettings: Validator<Settings> = object<Settings>(settingsSectionValidators);

export const validateSettingsPatch: Validator<SettingsPatch> = object<SettingsPatch>({
  model: optional(partialObject(sectionShapes.model)),
  engine: optional(partialObject(sectionShapes.engine)),
  microphone: optional(partialObject(sectionShapes.microphone)),
  hotkey: optional(partialObject(sectionShapes.hotkey)),
  insertion: optional(partialObject(sectionShapes.insertion)),
  handsFree: optional(partialObject(sectionShapes.handsFree)),
  history: optional(partialObject(sectionShapes.history)),
  replacements: optional(partialObject(sectionShapes.replacements)),
  startAtLogin: optional(bool),
  showOverlay: optional(bool),
  playSounds: optional(bool),
  checkForUpdates: optional(bool),
});

// ── Models and backends ─────────────────────────────────────────────────────────────────────────

export interface ModelPaths {
  pte: string;
  /** null when the weights are embedded in the .pte. */
  ptd: string | null;
}

/** What the inspector (native-models/js) reads from a .pte/.ptd pair without loading weights. */
export interface ModelSummary {
  pte: string;
  ptd: string | null;
  sizeBytes: number;
  methods: string[];
  /** The constant-method configuration (docs/architecture.md, "Model files"). */
  config: Record<string, number | string | boolean>;
  weightDtype: WeightDtype | null;
  quant: string | null;
  runnable: boolean;
  /** Why it cannot run, in plain words; null when runnable. */
  reason: string | null;
}

/** A GPU the CUDA backend found, usable or not. */
export interface GpuInfo {
  /** Stable across reboots and device order ("GPU-<uuid>"): what settings keep. */
  id: string;
  /** CUDA's ordinal now. */
  index: number;
  name: string;
  memoryBytes: number;
  /** Compute capability, "8.6". */
  compute: string;
  usable: boolean;
  /** Why it cannot run the model; absent when usable. */
  reason?: string;
}

export interface BackendInfo {
  id: BackendId;
  available: boolean;
  name: string;
  reason?: string;
  /** The backend's GPUs (CUDA); empty for the CPU and where no driver answers. */
  devices: GpuInfo[];
}

// ── Dictation ───────────────────────────────────────────────────────────────────────────────────

/** Hands-free as it stands (settings page, overlay, capture while armed). */
export interface HandsFreeStatus {
  /** The voice-activity model is loaded; false when it cannot be (see reason); null while it loads or without one. */
  available: boolean | null;
  /** Why hands-free cannot work here, in plain words; null when it can. */
  reason: string | null;
  /** Start-on-speech is waiting for speech: no dictation yet, but the microphone streams to the VAD. */
  armed: boolean;
}

export interface DictationStatus {
  state: DictationState;
  /** Epoch ms when this state began (drives the elapsed-time display). */
  since: number;
  /** The session this status belongs to; null when idle and nothing ran yet. */
  sessionId: string | null;
  source: TranscriptSource | null;
  /** The last error, while state is 'error'. */
  error: AppError | null;
  /** Absent from services without voice activity. */
  handsFree?: HandsFreeStatus;
}

export interface PartialTranscript {
  sessionId: string;
  /** Text appended since the previous partial. */
  appended: string;
  /** The whole text so far. */
  text: string;
  /** Token ids decoded since the previous partial. */
  tokenIds: number[];
}

export interface FinalTranscript {
  sessionId: string;
  text: string;
  source: TranscriptSource;
  durationMs: number;
  /** The history entry it was saved as; null when history is off. */
  historyId: string | null;
  /** The file job it came from, for source 'file'. */
  jobId: string | null;
}

export const PROGRESS_STAGES = ['loading-model', 'warming-up', 'transcribing-file', 'finishing'] as const;
export type ProgressStage = (typeof PROGRESS_STAGES)[number];

export interface EngineProgress {
  stage: ProgressStage;
  /** 0..1, or null when unknown. */
  fraction: number | null;
  jobId: string | null;
}

export interface ErrorEvent {
  code: ErrorCode;
  message: string;
  /** Whether words decoded before the error were kept (saved to history / inserted). */
  keptText: boolean;
  sessionId: string | null;
  /** The History entry that keeps this dictation's recording, to transcribe it again; null or absent: none. */
  historyId?: string | null;
}

/** Whether the voice-activity detector hears speech right now (drives the speech indicator). */
export interface SpeechActivity {
  sessionId: string | null;
  speaking: boolean;
}

/** What works outside the window: the global hotkey and insertion into other apps. */
export interface DesktopStatus {
  /** null where there is no global hotkey at all (the browser harness). */
  hotkey: {
    /** As set (the accelerator syntax). */
    accelerator: string;
    /** As this platform labels its keys ("Ctrl+Shift+Space", "Option+Shift+Cmd+Space", "Right Ctrl"). */
    label: string;
    /** Pressing it does something (hold-to-talk or toggle). */
    works: boolean;
    holdToTalk: boolean;
    /** What degraded and why, in plain words. */
    message: string | null;
    conflicts: string[];
    /** The paste-last-transcript hotkey (as set, and as labelled here); null when none is set. */
    pasteLast: { accelerator: string; label: string; works: boolean; message: string | null } | null;
  } | null;
  /**
   * null where text is never put into other apps (the browser harness). knowsApps: per-app modes
   * work here (the focused app can be told: X11); recentApps: the apps dictated into lately.
   */
  insertion: { available: boolean; detail: string; knowsApps: boolean; recentApps: string[] } | null;
}

/** The app's views, for `navigate` (the tray's Settings… and History…). */
export const VIEW_NAMES = ['dictate', 'history', 'settings'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export const NOTICE_KINDS = ['settings-reset', 'history-recovered', 'info'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  kind: NoticeKind;
  message: string;
  /** A web page the notice points to (https only; it opens in the browser). */
  link?: { label: string; url: string };
}

// ── Updates ─────────────────────────────────────────────────────────────────────────────────────

export const UPDATE_STATES = ['off', 'idle', 'checking', 'current', 'available', 'failed'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

/**
 * Whether a newer release is out. 'off': this build or the user does not check (message says
 * which); 'current': the running version is the newest; 'available': `latest` is newer (its
 * release page in `url`); 'failed': the last check did not get an answer (message says why).
 */
export interface UpdateStatus {
  state: UpdateState;
  current: string;
  latest: { version: string; url: string } | null;
  /** Epoch ms of the last answered or failed check. */
  checkedAt: number | null;
  message: string | null;
}

// ── History ─────────────────────────────────────────────────────────────────────────────────────

export interface HistoryEntry {
  id: string;
  text: string;
  /** Epoch ms. */
  createdAt: number;
  durationMs: number;
  /** Model file name (not the full path). */
  model: string | null;
  backend: BackendId | null;
  dtype: WeightDtype | null;
  source: TranscriptSource;
  /** 'recording' while a dictation is still writing to it; 'interrupted' if the app closed mid-way. */
  status: 'recording' | 'done' | 'interrupted';
  /**
   * Its recording is kept (Settings.history.keepAudio): the page plays it at recordingUrl(id) and may
   * transcribe it again. Set by main when listing; not stored in history.json.
   */
  audio?: boolean;
  /** When its words were said is kept (a transcribed file): saveSubtitles can write it out. Set by main. */
  subtitles?: boolean;
}

/** Where the page finds an entry's recording: relative to the page (main and the harness serve it). */
export function recordingUrl(id: string): string {
  return `recordings/${encodeURIComponent(id)}.wav`;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  total: number;
}

export interface HistoryChange {
  change: 'added' | 'updated' | 'deleted' | 'cleared';
  id: string | null;
}

/** What a file is chosen for (sets the dialog's title and filters); the *-folder ones choose a folder. */
export const FILE_PURPOSES = ['model-program', 'model-weights', 'audio', 'checkpoint-folder', 'model-folder', 'download-folder'] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

// ── Making a model from a Mistral checkpoint ───────────────────────────────────────────────────

/** Weight storage of a made model: 4-bit (smallest, fastest on a GPU), 8-bit, or as the checkpoint. */
export const QUANT_OPTIONS = ['4w', '8w', 'none'] as const;
export type QuantOption = (typeof QUANT_OPTIONS)[number];

export interface ConversionRequest {
  /** The checkpoint folder: params.json, consolidated.safetensors, tekken.json. */
  checkpointDir: string;
  /** Where model.pte, model.ptd and tekken.json are written (must not hold a model already). */
  outDir: string;
  quant: QuantOption;
}

export const CONVERSION_STATES = ['running', 'done', 'failed', 'cancelled'] as const;
export type ConversionState = (typeof CONVERSION_STATES)[number];

export interface ConversionStatus {
  jobId: string;
  state: ConversionState;
  /** 0..1 of the weights written; null before the first tensor. */
  fraction: number | null;
  /** The tensor being written, or what happened, in plain words. */
  detail: string;
  /** The pair made, once done (the app also starts using it). */
  model: ModelPaths | null;
  error: AppError | null;
}

/** The checkpoint downloading from Hugging Face into `dir` (then a Make a model source). */
export interface DownloadStatus {
  jobId: string;
  state: ConversionState;
  dir: string;
  receivedBytes: number;
  /** null until the Hub has listed the files. */
  totalBytes: number | null;
  detail: string;
  error: AppError | null;
}

// ── Calls (renderer → main, request/response) ──────────────────────────────────────────────────

export interface CallMap {
  getSettings: { request: void; response: Settings };
  updateSettings: { request: SettingsPatch; response: Settings };
  resetSettings: { request: void; response: Settings };
  inspectModel: { request: ModelPaths; response: ModelSummary };
  listBackends: { request: void; response: BackendInfo[] };
  getDictationStatus: { request: void; response: DictationStatus };
  startDictation: { request: void; response: DictationStatus };
  /** Ends the dictation; the transcript is final once flushed (also sent as a 'final' event). */
  stopDictation: { request: void; response: FinalTranscript | null };
  cancelDictation: { request: void; response: DictationStatus };
  listHistory: { request: { offset: number; limit: number }; response: HistoryPage };
  searchHistory: { request: { query: string; limit: number }; response: HistoryPage };
  deleteHistoryEntry: { request: { id: string }; response: { deleted: boolean } };
  clearHistory: { request: void; response: { deleted: number } };
  /**
   * Transcribes an entry's recording again (with the model now chosen) as a file job; its text
   * replaces the entry's once the job finishes ('final' with that historyId), not before.
   */
  retranscribeHistoryEntry: { request: { id: string }; response: { jobId: string } };
  /**
   * Writes the history (the entries matching `query`, or all) to a file the user picks in a save
   * dialog: Markdown, text or JSON by its extension. path null: they cancelled.
   */
  exportHistory: { request: { query: string }; response: { path: string | null; count: number } };
  /** The user's correction of an entry's text (not of one still being dictated). */
  editHistoryEntry: { request: { id: string; text: string }; response: { entry: HistoryEntry } };
  /** Saves a transcribed file's entry as subtitles (SubRip or WebVTT by the chosen extension); path null: cancelled. */
  saveSubtitles: { request: { id: string }; response: { path: string | null } };
  transcribeFile: { request: { path: string }; response: { jobId: string } };
  /** Notices raised before the window could listen (e.g. settings repaired at startup); taken once. */
  takePendingNotices: { request: void; response: Notice[] };
  /**
   * Asks the user for a file with the system dialog; path null when they cancelled. `many`: they
   * may pick several (where the dialog allows), all in `paths`, the first also in `path`.
   */
  chooseFile: { request: { purpose: FilePurpose; many?: boolean }; response: { path: string | null; paths?: string[] } };
  getDesktopStatus: { request: void; response: DesktopStatus };
  cancelFileTranscription: { request: { jobId: string }; response: { cancelled: boolean } };
  /** Makes a model pair from a checkpoint folder in the background ('conversion' events follow). */
  convertCheckpoint: { request: ConversionRequest; response: { jobId: string } };
  cancelConversion: { request: { jobId: string }; response: { cancelled: boolean } };
  /** Downloads (or resumes) Mistral's checkpoint into a folder ('download' events follow). */
  downloadCheckpoint: { request: { dir: string }; response: { jobId: string } };
  /** Stops it; what arrived is kept and the next download resumes it. */
  cancelDownload: { request: { jobId: string }; response: { cancelled: boolean } };
  getUpdateStatus: { request: void; response: UpdateStatus };
  /** Asks the release feed now (Settings' "Check now"); 'update' events follow too. */
  checkForUpdates: { request: void; response: UpdateStatus };
}

export type CallName = keyof CallMap;
/** Compile-time check that a channel table has exactly the keys K: no call or event without a channel. */
type ExactChannels<Table, K extends string> = Record<K, `dictate:${string}`> & { [P in keyof Table]: P extends K ? unknown : never };
CALL_CHANNELS satisfies ExactChannels<typeof CALL_CHANNELS, CallName>;
export type CallRequest<K extends CallName> = CallMap[K]['request'];
export type CallResponse<K extends CallName> = CallMap[K]['response'];


export const CALL_NAMES = Object.keys(CALL_CHANNELS) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(CALL_CHANNELS, name);
}

// ── Events (main → renderer) ────────────────────────────────────────────────────────────────────

export interface EventMap {
  state: DictationStatus;
  partial: PartialTranscript;
  final: FinalTranscript;
  progress: EngineProgress;
  error: ErrorEvent;
  notice: Notice;
  settings: Settings;
  history: HistoryChange;
  speech: SpeechActivity;
  /** Microphone level of the latest audio frame, 0..1 (−60 dBFS and below → 0, full scale → 1). */
  level: number;
  /** Main asks the window to show a view. */
  navigate: { view: ViewName };
  desktop: DesktopStatus;
  conversion: ConversionStatus;
  download: DownloadStatus;
  update: UpdateStatus;
}

export type EventName = keyof EventMap;
EVENT_CHANNELS satisfies ExactChannels<typeof EVENT_CHANNELS, EventName>;
export type AppEvent = { [K in EventName]: { name: K; payload: EventMap[K] } }[EventName];


export const EVENT_NAMES = Object.keys(EVENT_CHANNELS) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENT_CHANNELS, name);
}

// ── Audio frames (renderer → main over a MessagePort) ──────────────────────────────────────────


export type AudioPortMessage =
  | { type: 'frame'; seq: number; samples: Float32Array }
  | { type: 'end' };

// ── The API the preload exposes as window.voxtral ───────────────────────────────────────────────

export type CallFunction<K extends CallName> = CallRequest<K> extends void
  ? () => Promise<Result<CallResponse<K>>>
  : (request: CallRequest<K>) => Promise<Result<CallResponse<K>>>;

export type EventSubscriptions = {
  [K in EventName]: (listener: (payload: EventMap[K]) => void) => () => void;
};

export type VoxtralApi = { [K in CallName]: CallFunction<K> } & {
  on: EventSubscriptions;
  /** Asks main for an audio frame port; it arrives as a window message AUDIO_PORT_WINDOW_MESSAGE. */
  requestAudioPort(): void;
  /**
   * A file the user dropped on the window, to transcribe: answers the path main now accepts in
   * transcribeFile. Only a File from a real drop (or file input) has a path; one made by page
   * script has none and is refused.
   */
  registerDroppedFile(file: File): Promise<Result<{ path: string }>>;
};

// ── Dropped files (preload → main on DROPPED_FILE_CHANNEL) ────────────────────────────────────

/** What can be dropped: audio to transcribe (model files are chosen with Browse… only). */
export const DROPPED_FILE_PURPOSES = ['audio'] as const;
export interface DroppedFile {
  purpose: (typeof DROPPED_FILE_PURPOSES)[number];
  /** Absolute path of the dropped file, as Electron's webUtils.getPathForFile gives it. */
  path: string;
}
/**
 * Audio files that may be dropped or chosen to transcribe: WAV, MP3, FLAC, Ogg Vorbis and Opus
 * are read by the app; the others through ffmpeg where the user has it (the file's first bytes
 * decide how it is read, native-models/js/audio/read-audio-file.ts; the name only lets it in).
 */
export const DROPPABLE_AUDIO_EXTENSIONS = [
  '.wav', '.mp3', '.flac', '.ogg', '.oga', '.opus',
  '.m4a', '.mp4', '.aac', '.webm', '.weba', '.mka', '.mkv', '.mov', '.aif', '.aiff', '.caf', '.amr', '.wma', '.wv',
] as const;

/** For messages: the kinds of audio file the app transcribes. */
export const AUDIO_FILE_KINDS = 'WAV, MP3, FLAC, Ogg, Opus, M4A…';

/** Whether a file name (or path) names an audio file: `x.mp3`, not `.mp3` or `x.mp3.txt`. */
export function isDroppableAudioName(name: string): boolean {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).toLowerCase();
  return DROPPABLE_AUDIO_EXTENSIONS.some((ext) => base.endsWith(ext) && base.length > ext.length);
}

// ── Validators ──────────────────────────────────────────────────────────────────────────────────

const id = str({ min: 1, max: 128 });
const text = str({ max: 1_000_000 });
const epochMs = num({ min: 0 });
const appError = object<AppError>({ code: oneOf(ERROR_CODES), message: str({ max: 4000 }) });

const modelSummary = object<ModelSummary>({
  pte: path,
  ptd: nullable(path),
  sizeBytes: num({ min: 0 }),
  methods: arrayOf(str({ max: 256 }), { max: 1000 }),
  config: recordOf(scalar, { max: 512 }),
  weightDtype: nullable(oneOf(WEIGHT_DTYPES)),
  quant: nullable(str({ max: 64 })),
  runnable: bool,
  reason: nullable(str({ max: 4000 })),
});

const dictationStatus = object<DictationStatus>({
  state: oneOf(DICTATION_STATES),
  since: epochMs,
  sessionId: nullable(id),
  source: nullable(oneOf(TRANSCRIPT_SOURCES)),
  error: nullable(appError),
  handsFree: optional(object<HandsFreeStatus>({ available: nullable(bool), reason: nullable(str({ max: 4000 })), armed: bool })),
});

const finalTranscript = object<FinalTranscript>({
  sessionId: id,
  text,
  source: oneOf(TRANSCRIPT_SOURCES),
  durationMs: num({ min: 0 }),
  historyId: nullable(id),
  jobId: nullable(id),
});

const historyEntry = object<HistoryEntry>({
  id,
  text,
  createdAt: epochMs,
  durationMs: num({ min: 0 }),
  model: nullable(str({ max: 4096 })),
  backend: nullable(oneOf(BACKENDS)),
  dtype: nullable(oneOf(WEIGHT_DTYPES)),
  source: oneOf(TRANSCRIPT_SOURCES),
  status: oneOf(['recording', 'done', 'interrupted'] as const),
  audio: optional(bool),
  subtitles: optional(bool),
});

const historyPage = object<HistoryPage>({ entries: arrayOf(historyEntry, { max: 100_000 }), total: int(0, Number.MAX_SAFE_INTEGER) });

const httpsUrl: Validator<string> = (v, p = '') => {
  const url = str({ min: 1, max: 2000 })(v, p);
  if (!/^https:\/\/[^\s]+$/.test(url)) throw new ValidationError(p, 'must be an https URL');
  return url;
};

const notice = object<Notice>({
  kind: oneOf(NOTICE_KINDS), message: str({ max: 4000 }),
  link: optional(object<NonNullable<Notice['link']>>({ label: str({ min: 1, max: 200 }), url: httpsUrl })),
});

const updateStatus = object<UpdateStatus>({
  state: oneOf(UPDATE_STATES),
  current: str({ max: 100 }),
  latest: nullable(object<NonNullable<UpdateStatus['latest']>>({ version: str({ min: 1, max: 100 }), url: httpsUrl })),
  checkedAt: nullable(num({ min: 0 })),
  message: nullable(str({ max: 4000 })),
});

const desktopStatus = object<DesktopStatus>({
  hotkey: nullable(object<NonNullable<DesktopStatus['hotkey']>>({
    accelerator: str({ max: 100 }),
    label: str({ max: 100 }),
    works: bool,
    holdToTalk: bool,
    message: nullable(str({ max: 4000 })),
    conflicts: arrayOf(str({ max: 4000 }), { max: 50 }),
    pasteLast: nullable(object<NonNullable<NonNullable<DesktopStatus['hotkey']>['pasteLast']>>({
      accelerator: str({ max: 100 }), label: str({ max: 100 }), works: bool, message: nullable(str({ max: 4000 })),
    })),
  })),
  insertion: nullable(object<NonNullable<DesktopStatus['insertion']>>({
    available: bool, detail: str({ max: 4000 }), knowsApps: bool, recentApps: arrayOf(str({ max: MAX_APP_NAME_CHARS }), { max: 50 }),
  })),
});

export const validateHistoryEntry: Validator<HistoryEntry> = historyEntry;

export const requestValidators: { [K in CallName]: Validator<CallRequest<K>> } = {
  getSettings: none,
  updateSettings: validateSettingsPatch,
  resetSettings: none,
  inspectModel: object<ModelPaths>({ pte: path, ptd: nullable(path) }),
  listBackends: none,
  getDictationStatus: none,
  startDictation: none,
  stopDictation: none,
  cancelDictation: none,
  listHistory: object({ offset: int(0, Number.MAX_SAFE_INTEGER), limit: int(1, 1000) }),
  searchHistory: object({ query: str({ max: 500 }), limit: int(1, 1000) }),
  deleteHistoryEntry: object({ id }),
  clearHistory: none,
  retranscribeHistoryEntry: object({ id }),
  exportHistory: object({ query: str({ max: 500 }) }),
  saveSubtitles: object({ id }),
  editHistoryEntry: object({ id, text }),
  transcribeFile: object({ path }),
  cancelFileTranscription: object({ jobId: id }),
  takePendingNotices: none,
  chooseFile: object({ purpose: oneOf(FILE_PURPOSES), many: optional(bool) }),
  getDesktopStatus: none,
  convertCheckpoint: object<ConversionRequest>({ checkpointDir: path, outDir: path, quant: oneOf(QUANT_OPTIONS) }),
  cancelConversion: object({ jobId: id }),
  downloadCheckpoint: object({ dir: path }),
  cancelDownload: object({ jobId: id }),
  getUpdateStatus: none,
  checkForUpdates: none,
};

export const responseValidators: { [K in CallName]: Validator<CallResponse<K>> } = {
  getSettings: validateSettings,
  updateSettings: validateSettings,
  resetSettings: validateSettings,
  inspectModel: modelSummary,
  listBackends: arrayOf(object<BackendInfo>({
    id: oneOf(BACKENDS), available: bool, name: str({ max: 200 }), reason: optional(str({ max: 4000 })),
    devices: arrayOf(object<GpuInfo>({
      id: str({ min: 1, max: 200 }),
      index: int(0, 1024),
      name: str({ max: 200 }),
      memoryBytes: num({ min: 0 }),
      compute: str({ max: 16 }),
      usable: bool,
      reason: optional(str({ max: 4000 })),
    }), { max: 64 }),
  }), { max: 16 }),
  getDictationStatus: dictationStatus,
  startDictation: dictationStatus,
  stopDictation: nullable(finalTranscript),
  cancelDictation: dictationStatus,
  listHistory: historyPage,
  searchHistory: historyPage,
  deleteHistoryEntry: object({ deleted: bool }),
  clearHistory: object({ deleted: int(0, Number.MAX_SAFE_INTEGER) }),
  retranscribeHistoryEntry: object({ jobId: id }),
  exportHistory: object({ path: nullable(path), count: int(0, Number.MAX_SAFE_INTEGER) }),
  saveSubtitles: object({ path: nullable(path) }),
  editHistoryEntry: object({ entry: historyEntry }),
  transcribeFile: object({ jobId: id }),
  cancelFileTranscription: object({ cancelled: bool }),
  takePendingNotices: arrayOf(notice, { max: 100 }),
  chooseFile: object({ path: nullable(path), paths: optional(arrayOf(path, { max: 1000 })) }),
  getDesktopStatus: desktopStatus,
  convertCheckpoint: object({ jobId: id }),
  cancelConversion: object({ cancelled: bool }),
  downloadCheckpoint: object({ jobId: id }),
  cancelDownload: object({ cancelled: bool }),
  getUpdateStatus: updateStatus,
  checkForUpdates: updateStatus,
};

export function resultValidator<T>(value: Validator<T>): Validator<Result<T>> {
  const success = object<{ ok: true; value: T }>({ ok: literal(true), value });
  const failure = object<{ ok: false; error: AppError }>({ ok: literal(false), error: appError });
  return (v, p = '') => (isPlainObject(v) && v.ok === true ? success(v, p) : failure(v, p));
}

export const eventValidators: { [K in EventName]: Validator<EventMap[K]> } = {
  state: dictationStatus,
  partial: object<PartialTranscript>({
    sessionId: id, appended: text, text, tokenIds: arrayOf(int(0, 2 ** 31 - 1), { max: 100_000 }),
  }),
  final: finalTranscript,
  progress: object<EngineProgress>({
    stage: oneOf(PROGRESS_STAGES), fraction: nullable(num({ min: 0, max: 1 })), jobId: nullable(id),
  }),
  error: object<ErrorEvent>({
    code: oneOf(ERROR_CODES), message: str({ max: 4000 }), keptText: bool, sessionId: nullable(id), historyId: optional(nullable(id)),
  }),
  notice,
  settings: validateSettings,
  history: object<HistoryChange>({ change: oneOf(['added', 'updated', 'deleted', 'cleared'] as const), id: nullable(id) }),
  speech: object<SpeechActivity>({ sessionId: nullable(id), speaking: bool }),
  level: num({ min: 0, max: 1 }),
  navigate: object<{ view: ViewName }>({ view: oneOf(VIEW_NAMES) }),
  desktop: desktopStatus,
  conversion: object<ConversionStatus>({
    jobId: id,
    state: oneOf(CONVERSION_STATES),
    fraction: nullable(num({ min: 0, max: 1 })),
    detail: str({ max: 4000 }),
    model: nullable(object<ModelPaths>({ pte: path, ptd: nullable(path) })),
    error: nullable(appError),
  }),
  download: object<DownloadStatus>({
    jobId: id,
    state: oneOf(CONVERSION_STATES),
    dir: path,
    receivedBytes: num({ min: 0 }),
    totalBytes: nullable(num({ min: 0 })),
    detail: str({ max: 4000 }),
    error: nullable(appError),
  }),
  update: updateStatus,
};

export const validateDroppedFile: Validator<DroppedFile> = object<DroppedFile>({ purpose: oneOf(DROPPED_FILE_PURPOSES), path });
export const validateDroppedFileResult: Validator<Result<{ path: string }>> = resultValidator(object({ path }));

export const validateAudioPortMessage: Validator<AudioPortMessage> = taggedUnion<AudioPortMessage>('type', {
  frame: object<{ type: 'frame'; seq: number; samples: Float32Array }>({
    type: literal('frame'),
    seq: int(0, Number.MAX_SAFE_INTEGER),
    samples: float32Array({ max: AUDIO_FRAME_MAX_SAMPLES }),
  }),
  end: object<{ type: 'end' }>({ type: literal('end') }),
});
