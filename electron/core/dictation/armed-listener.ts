// Start-on-speech: while armed (setting on, VAD loaded, the controller ready to start) the renderer
// streams the warm microphone to the controller, whose pushAudio hands the frames here, to an armed
// VAD monitor; on speech the listener asks the controller to start a dictation, which takes the
// monitor over (its kept audio from just before the onset reaches the engine first). It also owns
// the hands-free part of the controller's status, and the notice when the VAD cannot load.

import type { HandsFreeStatus, Notice, Settings } from '../../common/ipc-contract';
import { handsFreeConfigFrom, type VoiceActivityEvent, type VoiceActivityMonitor, type VoiceActivityService } from '../vad';

/** A dictation started by hand while armed gets this much of the armed audio before the press
 *  (the same 320 ms the renderer's capture keeps when it is not streaming). */
const ARMED_PRE_PRESS_FRAMES = 4;

export interface ArmedListenerOptions {
  vad: VoiceActivityService;
  settings: () => Settings;
  /** The controller's side of arming: nothing running, not after an error, a model to run. */
  canArm: () => boolean;
  /** Speech was heard: start a dictation (which calls take()); false = not now. */
  startOnSpeech: () => boolean;
  /** The hands-free part of the status changed. */
  announce: () => void;
  log: (message: string, err?: unknown) => void;
  notify?: (notice: Notice) => void;
}

/** The armed monitor a dictation took over: it heard the speech that started the dictation. */
export interface HeardSpeech {
  readonly monitor: VoiceActivityMonitor;
  /** Once the session is open: the kept audio from just before the onset, then every later frame. */
  forwardTo(forward: (frame: Float32Array) => void): void;
}

/** What a dictation started while armed gets from the listener. */
export type ArmedHandOff =
  | { kind: 'speech'; speech: HeardSpeech }
  /** Started by hand: the armed audio just before the press (the armed monitor is closed). */
  | { kind: 'press'; prePress: Float32Array[] };

/** Waiting for speech, or just heard it and waiting for take(). */
interface Armed {
  monitor: VoiceActivityMonitor;
  /** Where the monitor's frames go once the dictation that took it opened its session. */
  target: ((frame: Float32Array) => void) | null;
  /** The VAD heard speech; the next take() hands this monitor over. */
  triggered: boolean;
  /** The events of the dictation that took it. */
  onEvent: ((event: VoiceActivityEvent) => void) | null;
}

export class ArmedListener {
  private armed: Armed | null = null;
  private disposed = false;
  /** Hands-free was on at the last settings change (to notice it being turned on). */
  private handsFreeWanted: boolean;

  constructor(private readonly options: ArmedListenerOptions) {
    this.handsFreeWanted = options.settings().handsFree.enabled;
    void options.vad.load().then((availability) => {
      if (availability.available) return this.rearm();
      // Hands-free falls back to stopping by hand; say why once if the user asked for it.
      if (this.options.settings().handsFree.enabled) this.notifyVadUnavailable(availability.reason);
      this.options.announce();
    });
  }

  status(): HandsFreeStatus {
    const availability = this.options.vad.status ?? null;
    return {
      available: availability?.available ?? null,
      reason: availability && !availability.available ? availability.reason : null,
      armed: this.armed !== null && !this.armed.triggered,
    };
  }

  /** A frame while no dictation runs: the VAD listens for speech if armed. */
  push(frame: Float32Array): void {
    this.armed?.monitor.push(frame);
  }

  /**
   * A dictation starts: ends arming without announcing it (the start's own state change does).
   * `onEvent` gets the taken monitor's events; null when not armed.
   */
  take(onEvent: (event: VoiceActivityEvent) => void): ArmedHandOff | null {
    const armed = this.armed;
    if (!armed) return null;
    this.armed = null;
    if (!armed.triggered) {
      const prePress = armed.monitor.takeKept(ARMED_PRE_PRESS_FRAMES);
      void armed.monitor.close();
      return { kind: 'press', prePress };
    }
    armed.onEvent = onEvent;
    const forwardTo = (forward: (frame: Float32Array) => void) => {
      armed.target = forward;
      armed.monitor.setConfig(handsFreeConfigFrom(this.options.settings().handsFree));
      armed.monitor.startForwarding();
    };
    return { kind: 'speech', speech: { monitor: armed.monitor, forwardTo } };
  }

  /** Arms or disarms to match the settings and the controller's state; says so when that changed. */
  rearm(): void {
    const want = this.shouldArm();
    if (want === (this.armed !== null)) return;
    if (!want) return this.disarm();
    const armed: Armed = { monitor: null!, target: null, triggered: false, onEvent: null };
    const monitor = this.options.vad.monitor({
      handsFree: this.options.settings().handsFree,
      armed: true,
      forward: (frame) => armed.target?.(frame),
      onEvent: (event) => (armed.onEvent ? armed.onEvent(event) : this.onArmedEvent(armed, event)),
    });
    if (!monitor) return;
    armed.monitor = monitor;
    this.armed = armed;
    this.options.announce();
  }

  disarm(): void {
    const armed = this.armed;
    if (!armed) return;
    this.armed = null;
    void armed.monitor.close();
    this.options.announce();
  }

  followSettings(settings: Settings): void {
    const vadStatus = this.options.vad.status;
    if (settings.handsFree.enabled && !this.handsFreeWanted && vadStatus && !vadStatus.available) this.notifyVadUnavailable(vadStatus.reason);
    this.handsFreeWanted = settings.handsFree.enabled;
    if (this.armed && !this.armed.triggered) this.armed.monitor.setConfig(handsFreeConfigFrom(settings.handsFree));
    this.rearm();
  }

  dispose(): void {
    this.disposed = true;
    this.disarm();
  }

  private shouldArm(): boolean {
    const { handsFree } = this.options.settings();
    if (this.disposed || this.options.vad.status?.available !== true || !handsFree.enabled || !handsFree.startOnSpeech) return false;
    return this.options.canArm();
  }

  private onArmedEvent(armed: Armed, event: VoiceActivityEvent): void {
    if (this.armed !== armed) return; // replaced or disarmed meanwhile
    if (event.type === 'error') {
      // Not re-armed at once: a model that fails now would fail again on the next frame.
      this.options.log(`voice activity while armed: ${event.message}`);
      this.disarm();
      return;
    }
    if (event.type !== 'start') return;
    armed.triggered = true;
    let taken = false;
    try {
      taken = this.options.startOnSpeech();
    } catch (err) {
      this.options.log('start on speech failed', err); // e.g. the coordinator's insertion could not begin
    }
    if (!taken && this.armed === armed) {
      // Not now (a hotkey dictation is still inserting): listen again from scratch.
      this.armed = null;
      void armed.monitor.close();
      this.rearm();
    }
  }

  private notifyVadUnavailable(reason: string): void {
    this.options.notify?.({ kind: 'info', message: `Hands-free is unavailable, so dictation stops only when you stop it: ${reason}` });
  }
}
