// Cuts a stream of 16 kHz samples into exact AUDIO_FRAME_SAMPLES frames (80 ms), each in its own
// buffer so it can be transferred. Keeps the last few frames while not sending (pre-roll), so a
// dictation started on a warm microphone also gets the moment before the press.

import { AUDIO_FRAME_SAMPLES } from '../../../electron/common/ipc-contract';

export class FrameAssembler {
  private frame = new Float32Array(AUDIO_FRAME_SAMPLES);
  private filled = 0;
  private readonly kept: Float32Array[] = [];
  private sending = false;

  constructor(private readonly post: (frame: Float32Array) => void, private readonly preRollFrames: number) {}

  /** Starts sending: the kept pre-roll first, oldest first, then every new frame. */
  send(): void {
    if (this.sending) return;
    this.sending = true;
    for (const frame of this.kept.splice(0)) this.post(frame);
  }

  /** Stops sending; the partial frame is dropped so the next dictation starts on a frame boundary. */
  hold(): void {
    this.sending = false;
    this.filled = 0;
  }

  push(samples: Float32Array): void {
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(samples.length - offset, AUDIO_FRAME_SAMPLES - this.filled);
      this.frame.set(samples.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === AUDIO_FRAME_SAMPLES) this.complete();
    }
  }

  private complete(): void {
    const full = this.frame;
    this.frame = new Float32Array(AUDIO_FRAME_SAMPLES);
    this.filled = 0;
    if (this.sending) {
      this.post(full);
    } else {
      this.kept.push(full);
      if (this.kept.length > this.preRollFrames) this.kept.shift();
    }
  }
}
