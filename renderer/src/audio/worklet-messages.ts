// Messages between the capture worklet and the page (both directions), in one place.

/** Page → worklet: start or stop passing frames on (the microphone stays open either way). */
export type WorkletCommand = { type: 'send' } | { type: 'hold' };

/** Worklet → page: one 80 ms frame of 16 kHz mono audio (buffer transferred). */
export interface WorkletFrame {
  type: 'frame';
  samples: Float32Array;
}

export const CAPTURE_PROCESSOR_NAME = 'voxtral-capture';
