// The seams between AppCore and the services other parts of the app provide. The engine host and
// dictation controller (electron/core/engine, electron/core/dictation) implement DictationService;
// the model tooling (native-models/js) backs ModelService. Failures are thrown as AppFailure.

import type {
  BackendInfo, DictationStatus, EventMap, FilePurpose, FinalTranscript, ModelPaths, ModelSummary,
} from '../../common/ipc-contract';

/** The events a dictation service emits; AppCore forwards them to every window. */
type DictationEventName = 'state' | 'partial' | 'final' | 'progress' | 'error' | 'speech';
export type DictationEvent = { [K in DictationEventName]: { name: K; payload: EventMap[K] } }[DictationEventName];

export interface DictationService {
  status(): DictationStatus;
  /** Starts listening from the microphone (frames arrive through pushAudio). */
  start(): Promise<DictationStatus>;
  /** Stops, flushes the engine and resolves with the final transcript (null if nothing ran). */
  stop(): Promise<FinalTranscript | null>;
  /** Stops without producing a final transcript. */
  cancel(): Promise<DictationStatus>;
  /** 16 kHz mono samples from the renderer; must not block (queue or drop, bounded). */
  pushAudio(samples: Float32Array, seq: number): void;
  /** The renderer closed its audio stream. */
  endAudio(): void;
  transcribeFile(path: string): Promise<{ jobId: string }>;
  cancelFile(jobId: string): Promise<boolean>;
  /** Any number of listeners (AppCore and the hotkey coordinator both subscribe). */
  onEvent(listener: (event: DictationEvent) => void): () => void;
  /** Releases the engine (app quit). */
  dispose(): Promise<void>;
  /**
   * Hands-free silence ended a dictation: `handler` may take it (the hotkey coordinator stops and
   * inserts) and answers true; otherwise the service stops the dictation itself.
   */
  setVoiceStopHandler?(handler: (() => boolean) | null): void;
  /**
   * Start-on-speech heard speech while armed: `handler` may take it (the hotkey coordinator starts a
   * latched dictation, which calls start()) and answers true; false means not now (the service
   * re-arms). Without a handler the service starts the dictation itself.
   */
  setVoiceStartHandler?(handler: (() => boolean) | null): void;
}

/** The system file dialog (Electron's in the app; none in the harness unless a test gives one). */
export interface SaveFileRequest {
  title: string;
  defaultName: string;
  /** The first is the default choice. */
  filters: { name: string; extensions: string[] }[];
}

export interface FileChooser {
  /** The chosen path, or null when the user cancelled. */
  choose(purpose: FilePurpose): Promise<string | null>;
  /** Several files at once (audio to transcribe in turn); [] when the user cancelled. Absent: one at a time. */
  chooseMany?(purpose: FilePurpose): Promise<string[]>;
  /** Where to save a file the core writes; null when the user cancelled. Absent: no save dialog here. */
  chooseSaveFile?(request: SaveFileRequest): Promise<string | null>;
}

export interface ModelService {
  listBackends(): Promise<BackendInfo[]>;
  inspect(paths: ModelPaths): Promise<ModelSummary>;
}
