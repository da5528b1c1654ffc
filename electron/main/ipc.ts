// Connects the IPC contract to AppCore. Every handler first checks that the message comes from
// the top frame of one of the app's own pages and that any file path in it was picked in the file
// dialog, then lets AppCore validate and answer it. Events go the other way to every window
// showing an app page.

import { MessageChannelMain, type BrowserWindow, type IpcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  AUDIO_PORT_CHANNEL, AUDIO_PORT_REQUEST_CHANNEL, CALL_CHANNELS, CALL_NAMES, DROPPED_FILE_CHANNEL, EVENT_CHANNELS, type Result,
} from '../common/ipc-contract';
import type { AppCore } from '../core/app/app-core';
import { isAppUrl } from './app-origin';
import { PickedPaths } from './picked-paths';

const FORBIDDEN: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'This request did not come from the Voxtral Dictate window.' },
};

/** Only the app's own top-level page may talk to the core. */
export function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed
  return frame.parent === null && isAppUrl(frame.url);
}

export function registerIpc(ipcMain: IpcMain, core: AppCore): () => void {
  const picked = new PickedPaths(() => {
    const { pte, ptd } = core.settings.get().model;
    return [pte, ptd];
  });
  for (const name of CALL_NAMES) {
    ipcMain.handle(CALL_CHANNELS[name], async (event, request: unknown) => {
      if (!isTrustedSender(event)) return FORBIDDEN;
      const refusal = picked.refusal(name, request);
      if (refusal) return refusal;
      const result = await core.call(name, request);
      picked.remember(name, result);
      return result;
    });
  }
  // A drop is the user's pick as much as a dialog choice; same sender rule as every call.
  ipcMain.handle(DROPPED_FILE_CHANNEL, (event, request: unknown) => (isTrustedSender(event) ? picked.acceptDropped(request) : FORBIDDEN));
  const onPortRequest = (event: IpcMainEvent) => {
    if (isTrustedSender(event)) openAudioPort(event.sender, core);
  };
  ipcMain.on(AUDIO_PORT_REQUEST_CHANNEL, onPortRequest);
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(CALL_CHANNELS[name]);
    ipcMain.removeHandler(DROPPED_FILE_CHANNEL);
    ipcMain.removeListener(AUDIO_PORT_REQUEST_CHANNEL, onPortRequest);
  };
}

/** A MessagePort for audio frames; AppCore validates each message. */
function openAudioPort(sender: WebContents, core: AppCore): void {
  const { port1, port2 } = new MessageChannelMain();
  // The page sends 'end' and then closes the port; the close also ends the stream when the page
  // could not say so. One end per port: a second one could reach the next dictation.
  let ended = false;
  const end = () => {
    if (!ended) core.acceptAudio({ type: 'end' });
    ended = true;
  };
  port1.on('message', ({ data }) => {
    if (ended) return; // nothing after the end belongs to the stream
    if ((data as { type?: unknown } | null)?.type === 'end') end();
    else core.acceptAudio(data);
  });
  port1.on('close', end);
  port1.start();
  sender.postMessage(AUDIO_PORT_CHANNEL, null, [port2]);
}

export function forwardEvents(core: AppCore, windows: () => BrowserWindow[]): () => void {
  return core.onEvent((event) => {
    for (const window of windows()) {
      const contents = window.webContents;
      if (window.isDestroyed() || contents.isDestroyed() || !isAppUrl(contents.getURL())) continue;
      contents.send(EVENT_CHANNELS[event.name], event.payload);
    }
  });
}
