// The app-wide owner of the VAD model: loads it once (lazily, off the first dictation's path if the
// controller calls load() at startup), and hands out one monitor per dictation with its own stream.
// If the model cannot be loaded, monitor() answers null with a reason and dictation goes on without
// a VAD (frames go straight to the engine; hands-free stop is unavailable, said once in the UI).

import type { Settings } from '../../common/ipc-contract';
import { findSileroModel, sileroModelCandidates } from './model-path';
import { loadSileroModel, VadModelError } from './silero-model';
import type { HandsFreeConfig, SpeechProbabilityModel, VoiceActivityEvent } from './types';
import { VoiceActivityDetector } from './voice-activity-detector';
import { VoiceActivityMonitor, type MonitorMode } from './voice-activity-monitor';

/** What the service needs from a loaded model: fresh per-dictation streams. */
export interface StreamingVadModel {
  createStream(): SpeechProbabilityModel;
  dispose(): Promise<void>;
}

export interface VoiceActivityServiceOptions {
  /** Finds the model file; null when it is not there. */
  locate?: () => string | null;
  load?: (modelPath: string) => Promise<StreamingVadModel>;
}

/** A hands-free dictation in which nothing was said for this long stops (the mic does not stay open). */
export const NO_SPEECH_TIMEOUT_MS = 15_000;

export type VadAvailability = { available: true } | { available: false; reason: string };

export interface MonitorRequest {
  handsFree: Settings['handsFree'];
  /** Start-on-speech: keep audio until speech starts (implies hands-free stop). */
  armed?: boolean;
  forward: (frame: Float32Array) => void;
  onEvent: (event: VoiceActivityEvent) => void;
}

/** The VAD configuration for the user's settings (also what to pass to monitor.setConfig). */
export function handsFreeConfigFrom(handsFree: Settings['handsFree']): HandsFreeConfig {
  return {
    silenceMs: handsFree.silenceMs,
    minSpeechMs: handsFree.minSpeechMs,
    threshold: handsFree.threshold,
    noSpeechTimeoutMs: NO_SPEECH_TIMEOUT_MS,
  };
}

/** hands-free off → indicator only; on → auto-stop; armed → start on speech, then auto-stop. */
export function monitorModeFor(handsFree: Settings['handsFree'], armed = false): MonitorMode {
  if (armed) return 'armed';
  return handsFree.enabled ? 'auto-stop' : 'indicator';
}

export class VoiceActivityService {
  private readonly locate: () => string | null;
  private readonly loadModel: (modelPath: string) => Promise<StreamingVadModel>;
  private loading: Promise<VadAvailability> | null = null;
  private model: StreamingVadModel | null = null;
  private availability: VadAvailability | null = null;
  private disposed = false;

  constructor(options: VoiceActivityServiceOptions = {}) {
    this.locate = options.locate ?? (() => findSileroModel());
    this.loadModel = options.load ?? loadSileroModel;
  }

  /** Loads the model once; later calls share the outcome. Never throws. */
  load(): Promise<VadAvailability> {
    this.loading ??= this.loadOnce();
    return this.loading;
  }

  /** null until load() has settled. */
  get status(): VadAvailability | null {
    return this.availability;
  }

  /**
   * A monitor for one dictation, or null when the model is not loaded (or could not be). Settings
   * outside the contract's validated ranges throw a RangeError naming the field.
   */
  monitor(request: MonitorRequest): VoiceActivityMonitor | null {
    if (!this.model || this.disposed) return null;
    const { handsFree } = request;
    return new VoiceActivityMonitor({
      mode: monitorModeFor(handsFree, request.armed),
      config: handsFreeConfigFrom(handsFree),
      analyzer: new VoiceActivityDetector(this.model.createStream(), handsFree.threshold),
      forward: request.forward,
      onEvent: request.onEvent,
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.loading;
    await this.model?.dispose();
    this.model = null;
  }

  private async loadOnce(): Promise<VadAvailability> {
    const modelPath = this.locate();
    let outcome: VadAvailability;
    if (!modelPath) {
      outcome = { available: false, reason: `voice activity model not found (looked in ${sileroModelCandidates().slice(0, 3).join(', ')}, …)` };
    } else {
      try {
        const model = await this.loadModel(modelPath);
        if (this.disposed) await model.dispose();
        else this.model = model;
        outcome = { available: true };
      } catch (err) {
        const message = err instanceof VadModelError || err instanceof Error ? err.message : String(err);
        outcome = { available: false, reason: message };
      }
    }
    this.availability = outcome;
    return outcome;
  }
}
