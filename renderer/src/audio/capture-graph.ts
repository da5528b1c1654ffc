// The seam between choosing a microphone (device-capture.ts) and turning its stream into frames
// (worklet-graph.ts: an AudioWorklet). Tests give device-capture a fake graph, so device following
// runs without Web Audio.

import type { WorkletCommand } from './worklet-messages';

export interface CaptureGraph {
  readonly stream: MediaStream;
  /** 'send' passes frames on (the pre-roll first); 'hold' keeps only the pre-roll. */
  command(command: WorkletCommand): void;
  /** Wakes the graph if the browser suspended it. */
  resume(): Promise<void>;
  /** Stops the stream's tracks and tears the graph down. */
  close(): Promise<void>;
}

export interface CaptureGraphs {
  /**
   * Builds a graph around the stream `openStream` gives. The graph is made ready first and the
   * device opened after, so sound that arrives while the graph starts is not lost.
   */
  open(openStream: () => Promise<MediaStream>, onFrame: (samples: Float32Array) => void): Promise<CaptureGraph>;
}
