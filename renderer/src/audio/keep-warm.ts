// Keeps the microphone open while dictation is possible (a model is chosen; the hotkey works with
// the window hidden, so visibility does not matter), so pressing Start or the hotkey never waits
// for the device and the first word is never cut; the capture's pre-roll even keeps the moment
// before the press. Closes it when no model is chosen, and follows the chosen microphone.

import type { AppStore } from '../stores/app-store';

export interface WarmableCapture {
  warm(deviceId: string | null): Promise<void>;
  release(): Promise<void>;
}

export function keepMicrophoneWarm(store: AppStore, capture: WarmableCapture): () => void {
  let warmFor: string | null | undefined; // undefined = closed
  const follow = () => {
    const { settings, status } = store.getState();
    if (status.state === 'loading' || status.state === 'listening' || status.state === 'finishing') return; // a dictation owns it
    const possible = settings !== null && settings.model.pte !== null;
    const device = settings?.microphone.deviceId ?? null;
    if (possible && warmFor !== device) {
      warmFor = device;
      // A refusal here is not an error yet: starting a dictation asks again and says why.
      capture.warm(device).catch(() => { warmFor = undefined; });
    } else if (!possible && warmFor !== undefined && status.handsFree?.armed !== true) {
      // (While start-on-speech is armed the capture driver streams this microphone to the core's
      // VAD, e.g. on the demo model with none chosen: releasing it would leave the VAD deaf.)
      warmFor = undefined;
      void capture.release();
    }
  };
  follow();
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.settings !== previous.settings || state.status !== previous.status) follow();
  });
  return unsubscribe;
}
