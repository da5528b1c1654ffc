// Runs in the browser page served by the harness, before the renderer: it defines window.voxtral
// with exactly the preload's API, carried over the harness WebSocket to a real AppCore.

import { AUDIO_PORT_WINDOW_MESSAGE, CALL_CHANNELS, EVENT_CHANNELS } from '../common/ipc-channels';
import type { AppError, AudioPortMessage, CallName, EventName, EventSubscriptions, Result, VoxtralApi } from '../common/ipc-contract';
import { BRIDGE_PATH, DROP_UPLOAD_PATH, type ClientMessage, type ServerMessage } from './bridge-protocol';

const lost = (message: string): Result<never> => ({ ok: false, error: { code: 'internal', message } satisfies AppError });

function createBridge(): VoxtralApi {
  const socket = new WebSocket(`ws://${location.host}${BRIDGE_PATH}`);
  socket.binaryType = 'arraybuffer';
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener('open', () => resolve(true), { once: true });
    socket.addEventListener('close', () => resolve(false), { once: true });
  });
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;

  socket.addEventListener('message', (message) => {
    if (typeof message.data !== 'string') return;
    const data = JSON.parse(message.data) as ServerMessage;
    if (data.t === 'result') {
      pending.get(data.id)?.(data.result);
      pending.delete(data.id);
    } else if (data.t === 'event') {
      for (const listener of listeners.get(data.event.name) ?? []) listener(data.event.payload);
    }
  });
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve(lost('Lost the connection to the harness core.'));
    pending.clear();
  });

  const send = async (message: ClientMessage | ArrayBuffer) => {
    if (!(await opened) || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(message instanceof ArrayBuffer ? message : JSON.stringify(message));
    return true;
  };

  const call = (name: CallName) => (request?: unknown) =>
    new Promise<Result<unknown>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      void send({ t: 'call', id, name, request }).then((sent) => {
        if (sent) return;
        pending.delete(id);
        resolve(lost('Cannot reach the harness core.'));
      });
    });

  const on = Object.fromEntries((Object.keys(EVENT_CHANNELS) as EventName[]).map((name) => [name, (listener: (payload: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError(`voxtral.on.${name} needs a function`);
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set.add(listener));
    return () => { set.delete(listener); };
  }])) as unknown as EventSubscriptions;

  const requestAudioPort = () => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = ({ data }: MessageEvent<AudioPortMessage>) => {
      if (data?.type === 'frame' && data.samples instanceof Float32Array) {
        const { buffer, byteOffset, byteLength } = data.samples;
        void send(buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer);
      } else if (data?.type === 'end') {
        void send({ t: 'audio-end' });
        port1.close();
      }
    };
    window.postMessage({ type: AUDIO_PORT_WINDOW_MESSAGE }, location.origin, [port2]);
  };

  // The stand-in for the preload's webUtils lookup: a page never learns a dropped file's path, so
  // its bytes go to the harness, which answers the path of a copy (drop-upload.ts).
  const registerDroppedFile = async (file: File): Promise<Result<{ path: string }>> => {
    if (!(file instanceof File)) return { ok: false, error: { code: 'invalid-request', message: 'Drop a file.' } };
    try {
      const answer = await fetch(`${DROP_UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
      return (await answer.json()) as Result<{ path: string }>;
    } catch {
      return lost('Cannot reach the harness core.');
    }
  };

  const calls = Object.fromEntries((Object.keys(CALL_CHANNELS) as CallName[]).map((name) => [name, call(name)]));
  return { ...calls, on, requestAudioPort, registerDroppedFile } as VoxtralApi;
}

window.voxtral = createBridge();
