// Notices a microphone that sends nothing: a muted device, a headset in a profile without its
// microphone, or another input chosen than the one spoken into. Such a dictation otherwise just
// gives no text, and the user cannot tell why. Said once per dictation, after its first seconds
// of audio, when none of it came above digital silence. The threshold sits far below any working
// microphone's own noise (room and preamp noise are around −60 dBFS and up), so someone who has
// not yet begun to speak is not told anything.

/** Below this RMS (−75 dBFS) a frame counts as silent. */
export const SILENT_INPUT_RMS = 10 ** (-75 / 20);
/** How much audio is judged. */
export const SILENT_INPUT_SECONDS = 3;

export const SILENT_INPUT_MESSAGE = 'Nothing is reaching the app from the microphone: it may be muted (on the device or in the system\'s sound settings), '
  + 'or another input is chosen than the one you speak into. Settings → Microphone → Test microphone checks it.';

export class SilentInputMonitor {
  private samples = 0;
  private heard = false;
  private done = false;

  constructor(private readonly sampleRate: number, private readonly onSilent: () => void) {}

  /** A frame of the dictation's audio. */
  audio(frame: Float32Array): void {
    if (this.done) return;
    let sum = 0;
    for (const x of frame) sum += Number.isFinite(x) ? x * x : 0;
    if (frame.length && Math.sqrt(sum / frame.length) >= SILENT_INPUT_RMS) this.heard = true;
    this.samples += frame.length;
    if (this.heard) this.done = true;
    else if (this.samples >= SILENT_INPUT_SECONDS * this.sampleRate) {
      this.done = true;
      this.onSilent();
    }
  }
}
