// The preload exposes exactly the IPC contract as window.voxtral: one function per call, one
// subscription per event, the audio-port request and the dropped-file registration. Nothing of
// ipcRenderer itself leaks to the page (listeners receive the payload only, never the IPC event).

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  AUDIO_PORT_CHANNEL, AUDIO_PORT_REQUEST_CHANNEL, AUDIO_PORT_WINDOW_MESSAGE, CALL_CHANNELS, DROPPED_FILE_CHANNEL, EVENT_CHANNELS,
} from '../common/ipc-channels';
import type { EventName, EventSubscriptions, Result, VoxtralApi } from '../common/ipc-contract';
import { pathForFile } from './file-path';

/** `pathOf` finds a dropped File's path on disk (Electron's webUtils in the app). */
export function buildPreloadApi(pathOf: (file: File) => string = pathForFile): VoxtralApi {
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
    // The page hands over a File, never a path: main registers only what a real drop points at.
    registerDroppedFile: (file: File) => {
      let path = '';
      try {
        path = pathOf(file);
      } catch {
        // not a File at all: no path, which main refuses
      }
      return ipcRenderer.invoke(DROPPED_FILE_CHANNEL, { purpose: 'audio', path }) as Promise<Result<{ path: string }>>;
    },
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
