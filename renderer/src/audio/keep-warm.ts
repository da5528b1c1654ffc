// Keeps the microphone open between dictations as Settings → Microphone says (keepOpen):
// 'always' while dictation is possible (a model is chosen; the hotkey works with the window
// hidden, so visibility does not matter), so pressing Start or the hotkey never waits for the
// device and the capture's pre-roll even keeps the moment before the press; 'minute' for a minute
// after each dictation; 'dictating' never, so the system's microphone indicator is off between
// dictations (the device then opens on each press, and a slow one may clip the first word).
// Follows the chosen microphone while it is open, and never closes it under a running dictation
// or while start-on-speech streams it to the voice detector.

import type { DictationStatus } from '../../../electron/common/ipc-contract';
import type { AppStore } from '../stores/app-store';

export interface WarmableCapture {
  warm(deviceId: string | null): Promise<void>;
  release(): Promise<void>;
}

/** How long 'minute' keeps the microphone open after a dictation. */
export const KEEP_OPEN_AFTER_USE_MS = 60_000;

const busy = (status: DictationStatus) => status.state === 'loading' || status.state === 'listening' || status.state === 'finishing';

export function keepMicrophoneWarm(store: AppStore, capture: WarmableCapture): () => void {
  let warmFor: string | null | undefined; // the device we hold open; undefined = closed (by us)
  let openedByDictation = false; // a dictation (or the armed stream) opened it; the capture keeps it open after
  let afterUseUntil = 0; // 'minute': open until then
  let wasBusy = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const warm = (device: string | null) => {
    warmFor = device;
    // A refusal here is not an error yet: starting a dictation asks again and says why.
    capture.warm(device).catch(() => { warmFor = undefined; });
  };
  const release = () => {
    clearTimer();
    warmFor = undefined;
    openedByDictation = false;
    afterUseUntil = 0;
    void capture.release();
  };
  const follow = () => {
    const { settings, status } = store.getState();
    if (busy(status)) {
      // A dictation owns the microphone; it stays open when the dictation ends.
      clearTimer();
      wasBusy = true;
      openedByDictation = true;
      return;
    }
    const ended = wasBusy;
    wasBusy = false;
    const armed = status.handsFree?.armed === true;
    if (armed) openedByDictation = true; // the armed stream keeps it open, and it must stay so
    const possible = settings !== null && settings.model.pte !== null;
    const device = settings?.microphone.deviceId ?? null;
    const keepOpen = settings?.microphone.keepOpen ?? 'always';
    // 'always' closes only what it opened (a dictation on the demo model, none chosen, keeps its
    // microphone as before); the other modes close whatever a dictation left open.
    const open = warmFor !== undefined || (keepOpen !== 'always' && openedByDictation);
    let wanted: boolean;
    if (keepOpen === 'always') wanted = possible;
    else if (keepOpen === 'minute') {
      if (ended) afterUseUntil = Date.now() + KEEP_OPEN_AFTER_USE_MS; // the minute counts from each dictation's end
      wanted = possible && afterUseUntil > Date.now();
    } else wanted = false;
    if (wanted) {
      if (warmFor !== device) warm(device);
      if (keepOpen === 'minute' && timer === null) timer = setTimeout(() => { timer = null; afterUseUntil = 0; follow(); }, afterUseUntil - Date.now());
      if (keepOpen === 'always') clearTimer();
    } else if (open && !armed) {
      // (While start-on-speech is armed the capture driver streams this microphone to the core's
      // VAD, e.g. on the demo model with none chosen: releasing it would leave the VAD deaf.)
      release();
    }
  };
  follow();
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.settings !== previous.settings || state.status !== previous.status) follow();
  });
  return () => {
    unsubscribe();
    clearTimer();
  };
}
