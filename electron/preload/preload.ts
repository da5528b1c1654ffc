// The preload exposes exactly the IPC contract as window.voxtral: one function per call, one
// subscription per event, and the audio-port request. Nothing of ipcRenderer itself leaks to
// the page (listeners receive the payload only, never the IPC event).

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  AUDIO_PORT_CHANNEL, AUDIO_PORT_REQUEST_CHANNEL, AUDIO_PORT_WINDOW_MESSAGE, CALL_CHANNELS, EVENT_CHANNELS,
} from '../common/ipc-channels';
import type { EventName, EventSubscriptions, VoxtralApi } from '../common/ipc-contract';

export function buildPreloadApi(): VoxtralApi {
  const calls = Object.fromEntries(
    Object.entries(CALL_CHANNELS).map(([name, channel]) => [name, (request?: unknown) => ipcRenderer.invoke(channel, request)]),
  );
  const on = Object.fromEntries(
    (Object.keys(EVENT_CHANNELS) as EventName[]).map((name) => [name, (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`voxtral.on.${name} needs a function`);
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(EVENT_CHANNELS[name], forward);
      return () => { ipcRenderer.removeListener(EVENT_CHANNELS[name], forward); };
    }]),
  ) as unknown as EventSubscriptions;
  return {
    ...calls,
    on,
    requestAudioPort: () => ipcRenderer.send(AUDIO_PORT_REQUEST_CHANNEL),
  } as VoxtralApi;
}

/** Hands audio ports from main to the page (ports cannot cross contextBridge directly). */
export function forwardAudioPorts(target: Pick<Window, 'postMessage' | 'location'>): void {
  ipcRenderer.on(AUDIO_PORT_CHANNEL, (event) => {
    const [port] = event.ports;
    if (port) target.postMessage({ type: AUDIO_PORT_WINDOW_MESSAGE }, target.location.origin, [port]);
  });
}

contextBridge.exposeInMainWorld('voxtral', buildPreloadApi());
forwardAudioPorts(window);
