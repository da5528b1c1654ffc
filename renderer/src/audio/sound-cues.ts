// Short tones for a dictation's moments (Settings → General → "Play sounds"), so someone dictating
// into another app hears that it started, stopped, was cancelled or failed without looking.
// Synthesised with Web Audio (no asset can go missing); short, soft and high, because the
// microphone is open when the start tone plays and a headset is not a given.

import type { DictationStatus } from '../../../electron/common/ipc-contract';
import type { AppStore } from '../stores/app-store';

export type Cue = 'start' | 'stop' | 'cancel' | 'error';

/** One tone: frequency (Hz), start and length (ms) from the cue's start. */
export interface Tone {
  hz: number;
  atMs: number;
  ms: number;
}

/** Rising for start, falling for stop, one low tone for cancel, two for an error. */
export const CUE_TONES: Record<Cue, readonly Tone[]> = {
  start: [{ hz: 880, atMs: 0, ms: 60 }, { hz: 1320, atMs: 70, ms: 70 }],
  stop: [{ hz: 1320, atMs: 0, ms: 60 }, { hz: 880, atMs: 70, ms: 70 }],
  cancel: [{ hz: 520, atMs: 0, ms: 110 }],
  error: [{ hz: 330, atMs: 0, ms: 90 }, { hz: 330, atMs: 140, ms: 90 }],
};

/** Peak gain: soft beside speech, and well under clipping when tones overlap their ramps. */
export const CUE_GAIN = 0.12;

/** The cue for a status change of a microphone dictation (file jobs make no sound); null = none. */
export function cueFor(previous: DictationStatus, next: DictationStatus): Cue | null {
  if (previous.state === next.state) return null;
  const source = next.source ?? previous.source;
  if (source !== 'mic') return null;
  if (next.state === 'listening') return 'start';
  if (next.state === 'finishing' && previous.state === 'listening') return 'stop';
  if (next.state === 'error') return 'error';
  // Ended without finishing: cancelled (a stop goes through 'finishing' first).
  if (next.state === 'idle' && (previous.state === 'listening' || previous.state === 'loading')) return 'cancel';
  return null;
}

/** The parts of Web Audio a cue needs (an AudioContext in the app, a recording fake in tests). */
export interface CueContext {
  readonly currentTime: number;
  readonly destination: AudioNode;
  createOscillator(): OscillatorNode;
  createGain(): GainNode;
}

/** Schedules the cue's tones on `ctx`, each with 5 ms ramps so nothing clicks. */
export function playCue(ctx: CueContext, cue: Cue): void {
  const t0 = ctx.currentTime + 0.01;
  for (const tone of CUE_TONES[cue]) {
    const start = t0 + tone.atMs / 1000;
    const end = start + tone.ms / 1000;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(tone.hz, start);
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(CUE_GAIN, start + 0.005);
    gain.gain.setValueAtTime(CUE_GAIN, end - 0.005);
    gain.gain.linearRampToValueAtTime(0, end);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(start);
    osc.stop(end);
  }
}

/** Plays the cues of the store's status changes while the setting is on. Returns the unsubscribe. */
export function playSoundCues(store: AppStore, context: () => CueContext | null = defaultContext()): () => void {
  return store.subscribe((state, previous) => {
    if (state.status === previous.status || !state.settings?.playSounds) return;
    const cue = cueFor(previous.status, state.status);
    const ctx = cue ? context() : null;
    if (cue && ctx) playCue(ctx, cue);
  });
}

/** One AudioContext, made on first use (none where Web Audio is missing). */
function defaultContext(): () => CueContext | null {
  let ctx: AudioContext | null = null;
  return () => {
    if (!ctx && typeof AudioContext !== 'undefined') ctx = new AudioContext({ latencyHint: 'interactive' });
    if (ctx?.state === 'suspended') void ctx.resume();
    return ctx;
  };
}
