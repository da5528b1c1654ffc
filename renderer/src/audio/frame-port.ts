// The seam for microphone audio: the core gives the page a MessagePort, and capture code posts
// 16 kHz mono Float32Array frames of AUDIO_FRAME_SAMPLES on it (buffers transferred, not copied).
// In Electron the port comes from main via the preload; in the harness it is backed by the
// WebSocket. Either way it arrives as a window message, so this code is the same for both.

import { AUDIO_PORT_WINDOW_MESSAGE, type AudioPortMessage } from '../../../electron/common/ipc-contract';
import type { VoxtralClient } from '../ipc/client';

export async function openFramePort(client: VoxtralClient, timeoutMs = 5000): Promise<FramePort> {
  const port = await new Promise<MessagePort>((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage);
      reject(new Error('The app core did not open an audio port.'));
    }, timeoutMs);
    function onMessage(event: MessageEvent) {
      if (event.source !== window || event.data?.type !== AUDIO_PORT_WINDOW_MESSAGE || !event.ports[0]) return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      resolve(event.ports[0]);
    }
    window.addEventListener('message', onMessage);
    client.requestAudioPort();
  });
  return new FramePort(port);
}

/** Posts audio frames to the core. */
export class FramePort {
  private seq = 0;

  constructor(private readonly port: MessagePort) {}

  /** Sends one frame; the buffer is transferred, so `samples` is unusable afterwards. */
  postFrame(samples: Float32Array): void {
    const message: AudioPortMessage = { type: 'frame', seq: this.seq++, samples };
    this.port.postMessage(message, [samples.buffer]);
  }

  close(): void {
    const end: AudioPortMessage = { type: 'end' };
    this.port.postMessage(end);
    this.port.close();
  }
}
