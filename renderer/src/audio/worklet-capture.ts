// The app's microphone capture: DeviceCapture (device choice and following) on the AudioWorklet
// graph, sending frames to the core's frame port. After the first dictation the microphone stays
// open ("warm") with the worklet holding a short pre-roll, so the next dictation starts with no
// device start-up gap and keeps the moment before the press.

import type { VoxtralClient } from '../ipc/client';
import { DeviceCapture } from './device-capture';
import { openFramePort } from './frame-port';
import { WorkletGraphs } from './worklet-graph';

export class WorkletCapture extends DeviceCapture {
  constructor(client: VoxtralClient, media: MediaDevices = navigator.mediaDevices) {
    super({ media, graphs: new WorkletGraphs(), openPort: () => openFramePort(client) });
  }
}
