// A tap on what the browser delivers from the microphone to the app's audio graph, for the live
// dictation proof: a page init script (no app code changes) adds a second AudioWorklet beside the
// app's capture worklet, on the same MediaStreamAudioSourceNode, and keeps every input sample it
// gets, mixed to mono as the capture worklet mixes. What this tap lacks of the source file the
// browser lost (suspected of its fake microphone on a busy 2-core machine, where it counts no
// drop); what the core lacks of this tap the app lost.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { concat } from '../unit/vad/speech-audio';

/** One opened graph: its context's rate and every sample its source delivered, in order. */
export interface TapSegment {
  rate: number;
  samples: Float32Array;
}

/** The tap's processor, a file beside the built renderer: the page's CSP allows only its own origin's scripts. */
const PROCESSOR_FILE = 'vxd-test-source-tap.js';
const PROCESSOR = `registerProcessor('vxd-test-source-tap', class extends AudioWorkletProcessor {
  constructor() { super(); this.block = new Float32Array(8192); this.n = 0; }
  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const len = channels[0].length;
    for (let i = 0; i < len; i++) {
      let v = 0;
      for (const c of channels) v += c[i] / channels.length;
      this.block[this.n++] = v;
      if (this.n === this.block.length) { this.port.postMessage(this.block, [this.block.buffer]); this.block = new Float32Array(8192); this.n = 0; }
    }
    return true;
  }
});`;

/** Installs the tap on a page before it loads the app served from `rendererDir`. */
export async function installSourceTap(page: Page, rendererDir: string): Promise<void> {
  await writeFile(path.join(rendererDir, PROCESSOR_FILE), PROCESSOR);
  await page.addInitScript(tapInPage, `/${PROCESSOR_FILE}`);
}

/** Runs in the page before the app: self-contained, no imports. */
function tapInPage(url: string): void {
  const segments: { rate: number; blocks: Float32Array[] }[] = [];
  (window as unknown as { sourceTap: typeof segments }).sourceTap = segments;
  // The app's module load also loads the tap's, so the tap node exists before the source is connected.
  const addModule = AudioWorklet.prototype.addModule;
  AudioWorklet.prototype.addModule = function (this: AudioWorklet, ...args: Parameters<AudioWorklet['addModule']>) {
    return addModule.apply(this, args).then(() => addModule.call(this, url));
  };
  const createSource = AudioContext.prototype.createMediaStreamSource;
  AudioContext.prototype.createMediaStreamSource = function (this: AudioContext, stream: MediaStream) {
    const source = createSource.call(this, stream);
    const segment = { rate: this.sampleRate, blocks: [] as Float32Array[] };
    segments.push(segment);
    // No outputs: an automatic pull node, rendered without a path to the destination.
    const tap = new AudioWorkletNode(this, 'vxd-test-source-tap', { numberOfInputs: 1, numberOfOutputs: 0 });
    tap.port.onmessage = (event: MessageEvent<Float32Array>) => { segment.blocks.push(event.data); };
    source.connect(tap);
    return source;
  };
}

/** The tap's segments so far (the last one is the graph open now); whole 8192-sample blocks only. */
export async function readSourceTap(page: Page): Promise<TapSegment[]> {
  const raw = await page.evaluate(() => {
    const segments = (window as unknown as { sourceTap?: { rate: number; blocks: Float32Array[] }[] }).sourceTap ?? [];
    return segments.map((s) => ({ rate: s.rate, blocks: s.blocks.map((b) => Array.from(b)) }));
  });
  return raw.map((s) => ({ rate: s.rate, samples: concat(s.blocks.map((b) => Float32Array.from(b))) }));
}
