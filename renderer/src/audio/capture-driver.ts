// Opens and closes the microphone as the core's dictation state changes: capture runs while the
// core is loading or listening (frames sent while the model loads are kept by the core, so the
// first words are not lost) and stops when it finishes, errors or goes idle. It also runs while
// start-on-speech is armed (idle with status.handsFree.armed): the core's VAD listens for speech; a
// microphone that cannot be opened then is tried again (after 2 s, doubling up to 30 s) until it
// opens or arming ends, since nobody is there to press Start again. Tells the user when the
// microphone switches (a chosen one unplugged or back) or is lost, and when the system dropped
// microphone audio during a dictation.

import type { DictationState, DictationStatus } from '../../../electron/common/ipc-contract';
import type { AppStore } from '../stores/app-store';
import type { DeviceEvent, MicrophoneCapture } from './capture';

const CAPTURING: ReadonlySet<DictationState> = new Set(['loading', 'listening']);
export const ARMED_RETRY_FIRST_MS = 2000;
export const ARMED_RETRY_MAX_MS = 30_000;
const OPEN_FAILED = 'The microphone could not be opened';

/** Idle and armed for start-on-speech: the capture serves the core's VAD, not a dictation. */
const armedOnly = (status: DictationStatus) => !CAPTURING.has(status.state) && status.handsFree?.armed === true;

export function driveCapture(store: AppStore, capture: MicrophoneCapture): () => void {
  let running = false;
  // Start/stop calls are chained so a quick stop-start never overlaps two opens.
  let chain: Promise<void> = Promise.resolve();
  let retry: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = ARMED_RETRY_FIRST_MS;
  const cancelRetry = () => {
    if (retry !== null) clearTimeout(retry);
    retry = null;
  };
  const clearOpenError = () => {
    if (store.getState().dictationError?.message.startsWith(OPEN_FAILED)) store.setState({ dictationError: null });
  };
  const follow = (status: DictationStatus) => {
    const want = (CAPTURING.has(status.state) && status.source !== 'file') || status.handsFree?.armed === true;
    if (!want && retry !== null) {
      // Arming ended while the microphone was being retried: nothing waits for it any more.
      cancelRetry();
      clearOpenError();
    }
    if (want === running) return;
    running = want;
    cancelRetry();
    chain = chain.then(async () => {
      try {
        if (want) await capture.start(store.getState().settings?.microphone.deviceId ?? null);
        else await capture.stop();
        if (want) {
          retryDelay = ARMED_RETRY_FIRST_MS;
          clearOpenError(); // an open that failed earlier works now
        }
      } catch (err) {
        running = false;
        const reason = (err as Error)?.message ?? String(err);
        if (want && armedOnly(store.getState().status)) {
          store.setState({ dictationError: { code: 'unavailable', message: `${OPEN_FAILED}: ${reason}. Start on speech tries again until it opens.` } });
          retry = setTimeout(() => {
            retry = null;
            follow(store.getState().status);
          }, retryDelay);
          retryDelay = Math.min(retryDelay * 2, ARMED_RETRY_MAX_MS);
          return;
        }
        const message = want ? `${OPEN_FAILED}: ${reason}` : `The microphone could not be closed: ${reason}`;
        store.setState({ dictationError: { code: 'unavailable', message } });
        if (want) void store.getState().cancelDictation();
      }
    });
  };
  follow(store.getState().status);
  const offDevices = capture.onDeviceEvent?.((event) => reportDeviceEvent(store, event));
  const offState = store.subscribe((state, previous) => {
    if (state.status !== previous.status) follow(state.status);
  });
  return () => {
    cancelRetry();
    offState();
    offDevices?.();
  };
}

/** Says what happened to the microphone: a notice for a switch, an error when none is left. */
function reportDeviceEvent(store: AppStore, event: DeviceEvent): void {
  const { pushNotice } = store.getState();
  if (event.type === 'fallback') {
    const name = event.label ?? 'The chosen microphone';
    pushNotice({ kind: 'info', message: `${name} is not connected: using the system default microphone. It is used again once it is back.` });
  } else if (event.type === 'restored') {
    pushNotice({ kind: 'info', message: `${event.label ?? 'The chosen microphone'} is connected again and in use.` });
  } else if (event.type === 'dropped') {
    const ms = Math.round(event.lostMs);
    pushNotice({ kind: 'info', message: `The system dropped ${ms} ms of microphone audio during that dictation (the computer was too busy to keep up): words spoken then may be missing.` });
  } else if (CAPTURING.has(store.getState().status.state)) {
    store.setState({ dictationError: { code: 'unavailable', message: event.message } });
  } else {
    pushNotice({ kind: 'info', message: event.message }); // nothing was running: no error to show
  }
}
