// What the overlay shows, derived from the core's events. Pure, so tests drive it directly.

import type { DesktopStatus, DictationStatus, ErrorEvent, Notice, PartialTranscript, SpeechActivity } from '../../electron/common/ipc-contract';

/** 'armed': start-on-speech waits for speech (no dictation yet, but the microphone is live). */
export type OverlayPhase = 'hidden' | 'armed' | 'loading' | 'listening' | 'finishing' | 'error';

export interface OverlayModel {
  phase: OverlayPhase;
  /** The end of the live text (the pill is one line; the start scrolls away). */
  text: string;
  /** 0..1 microphone level. */
  level: number;
  /** The voice-activity detector hears speech now. */
  speaking: boolean;
  message: string | null;
  /**
   * A notice about the running dictation (falling behind, a microphone switched), shown in place of
   * the live text for a few seconds (NOTICE_MS): the user is looking at another app, not the window.
   */
  notice: string | null;
  /** The global hotkey works here, so Escape cancels a dictation (its hook or grab hears it). */
  escCancels: boolean;
}

/** How long a notice replaces the live text. */
export const NOTICE_MS = 6000;

export type OverlayEvent =
  | { type: 'state'; status: DictationStatus }
  | { type: 'partial'; partial: PartialTranscript }
  | { type: 'error'; error: ErrorEvent }
  | { type: 'level'; level: unknown }
  | { type: 'speech'; speech: SpeechActivity }
  | { type: 'notice'; notice: Notice }
  | { type: 'notice-expired' }
  | { type: 'desktop'; desktop: DesktopStatus };

export const INITIAL_OVERLAY: OverlayModel = { phase: 'hidden', text: '', level: 0, speaking: false, message: null, notice: null, escCancels: false };
export const MAX_OVERLAY_CHARS = 120;

export function reduceOverlay(model: OverlayModel, event: OverlayEvent): OverlayModel {
  switch (event.type) {
    case 'state': {
      const { state, error } = event.status;
      if (state === 'idle') return { ...INITIAL_OVERLAY, phase: event.status.handsFree?.armed ? 'armed' : 'hidden', escCancels: model.escCancels };
      if (state === 'error') return { ...model, phase: 'error', level: 0, message: error?.message ?? 'Something went wrong' };
      const phase: OverlayPhase = state === 'loading' ? 'loading' : state === 'listening' ? 'listening' : 'finishing';
      // A new dictation starts with empty text and no notice.
      const fresh = model.phase === 'hidden' || model.phase === 'error' || model.phase === 'armed';
      const text = fresh ? '' : model.text;
      const listening = phase === 'listening';
      return { ...model, phase, text, message: null, notice: fresh ? null : model.notice, level: listening ? model.level : 0, speaking: listening && model.speaking };
    }
    case 'partial':
      if (model.phase === 'hidden' || model.phase === 'armed') return model;
      return { ...model, text: tail(event.partial.text.trimStart(), MAX_OVERLAY_CHARS) };
    case 'error':
      return { ...model, phase: 'error', level: 0, message: event.error.message };
    case 'level': {
      const level = typeof event.level === 'number' && Number.isFinite(event.level) ? Math.min(1, Math.max(0, event.level)) : 0;
      return model.phase === 'listening' ? { ...model, level } : model;
    }
    case 'speech':
      return model.phase === 'listening' ? { ...model, speaking: event.speech.speaking } : model;
    case 'notice':
      // Only a dictation's own notices: one shown while nothing runs would be about something else.
      return model.phase === 'loading' || model.phase === 'listening' || model.phase === 'finishing' ? { ...model, notice: event.notice.message } : model;
    case 'notice-expired':
      return model.notice === null ? model : { ...model, notice: null };
    case 'desktop':
      return { ...model, escCancels: event.desktop.hotkey?.works === true };
  }
}

/** The last `max` characters, cut at a word where possible, with an ellipsis in front. */
export function tail(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const end = chars.slice(chars.length - max + 1).join('');
  const space = end.indexOf(' ');
  return `…${space >= 0 && space < 20 ? end.slice(space + 1) : end}`;
}

export const PHASE_LABEL: Record<OverlayPhase, string> = {
  hidden: '',
  armed: 'Waiting for speech',
  loading: 'Loading model…',
  listening: 'Listening',
  finishing: 'Finishing…',
  error: 'Error',
};
