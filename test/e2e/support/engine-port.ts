// A DictationPort on the real native engine: a "microphone" that delivers a WAV file in 80 ms
// frames in real time, the engine session decoding as it goes, token ids turned into text by the
// real Tekken incremental detokenizer. Stands in for the dictation controller in the e2e test.

import type { DictationPort, FinalResult, PartialUpdate } from '../../../electron/core/coordinator';
import type { EngineModel, EngineSession } from '../../../native-models/js/engine';
import { IncrementalDecoder } from '../../../native-models/js/tokenizer/incremental-decoder';
import type { Tekken } from '../../../native-models/js/tokenizer/tekken';

const FRAME_SAMPLES = 1280; // 80 ms at 16 kHz, what the renderer's capture sends

export class EngineDictationPort implements DictationPort {
  private listeners = new Set<(u: PartialUpdate) => void>();
  private session: EngineSession | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private text = '';
  /** Frames handed to the engine so far. */
  pushedSamples = 0;
  errors: Error[] = [];
  finalTokens: number[] = [];

  constructor(private readonly model: EngineModel, private readonly tekken: Tekken, private readonly audio: Float32Array) {}

  get allAudioPushed(): boolean { return this.pushedSamples >= this.audio.length; }

  async start(): Promise<void> {
    const decoder = new IncrementalDecoder(this.tekken);
    this.text = '';
    this.pushedSamples = 0;
    this.session = this.model.createSession({
      onTokens: (ids) => {
        const appended = decoder.push(ids);
        if (!appended) return;
        this.text += appended;
        for (const l of this.listeners) l({ text: this.text, appended });
      },
      onError: (err) => { this.errors.push(err); },
    });
    const session = this.session;
    this.timer = setInterval(() => {
      if (this.pushedSamples >= this.audio.length) return; // the speaker has finished; the mic idles
      session.push(this.audio.slice(this.pushedSamples, this.pushedSamples + FRAME_SAMPLES));
      this.pushedSamples += FRAME_SAMPLES;
    }, 80);
  }

  async stop(): Promise<FinalResult> {
    this.halt();
    const session = this.session;
    if (!session) return { text: '' };
    try {
      const { tokens } = await session.flush();
      this.finalTokens = tokens;
      return { text: this.tekken.decode(tokens) };
    } finally {
      session.close();
      this.session = null;
    }
  }

  cancel(): void {
    this.halt();
    this.session?.close();
    this.session = null;
  }

  onPartial(listener: (u: PartialUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
