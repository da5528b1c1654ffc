// What the renderer expects from microphone capture (implemented by the audio work: an
// AudioWorklet that resamples to 16 kHz and posts 80 ms frames through a FramePort, see
// frame-port.ts). Hand an implementation to driveCapture (capture-driver.ts) in main.tsx and it
// opens and closes with the core's dictation state; until then the app runs without sending audio.

/** What happened to the microphone while it was open (the page tells the user). */
export type DeviceEvent =
  /** The chosen input is not connected: the system default is used instead. */
  | { type: 'fallback'; chosen: string; label: string | null }
  /** The chosen input is connected again and in use. */
  | { type: 'restored'; chosen: string; label: string | null }
  /** No input could be opened; sending stopped. */
  | { type: 'lost'; message: string }
  /** A dictation ended in which the system dropped this much microphone audio (capture-loss.ts). */
  | { type: 'dropped'; lostMs: number };

export interface MicrophoneCapture {
  /** Opens the microphone (deviceId null = system default) and starts sending frames. */
  start(deviceId: string | null): Promise<void>;
  /** Stops sending (the port gets its 'end' message) and releases the microphone. */
  stop(): Promise<void>;
  /** Device changes worth telling the user about; returns the unsubscribe. */
  onDeviceEvent?(listener: (event: DeviceEvent) => void): () => void;
}
