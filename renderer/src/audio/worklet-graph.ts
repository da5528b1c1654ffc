// The capture graph on Web Audio: microphone stream → AudioWorklet (capture-worklet.ts: mono,
// band-limited resampling to 16 kHz, 80 ms frames with a pre-roll) → frames to the page. The
// AudioContext runs at the device's own rate, so ours is the only resampling.

import workletUrl from './capture-worklet.ts?worker&url';
import type { CaptureGraph, CaptureGraphs } from './capture-graph';
import { CAPTURE_PROCESSOR_NAME, type WorkletCommand, type WorkletFrame } from './worklet-messages';

/** Frames kept while warm and not sending: 320 ms before the press. */
const PRE_ROLL_FRAMES = 4;

export class WorkletGraphs implements CaptureGraphs {
  /** The rate the last device ran at, so the next context can be ready before the device opens. */
  private lastRate: number | null = null;

  async open(openStream: () => Promise<MediaStream>, onFrame: (samples: Float32Array) => void): Promise<CaptureGraph> {
    // The audio graph is made ready first: sound that arrives before it runs is lost.
    let context = await prepareContext(this.lastRate);
    let stream: MediaStream;
    try {
      stream = await openStream();
    } catch (err) {
      await context.close().catch(() => undefined);
      throw err;
    }
    const stopTracks = () => { for (const t of stream.getTracks()) t.stop(); };
    // Run at the device's own rate: one resampling, ours, band-limited (not the browser's as well).
    const rate = stream.getAudioTracks()[0]?.getSettings().sampleRate ?? null;
    if (rate && rate !== context.sampleRate) {
      await context.close().catch(() => undefined);
      try {
        context = await prepareContext(rate);
      } catch (err) {
        stopTracks();
        throw err;
      }
    }
    this.lastRate = context.sampleRate;
    const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR_NAME, {
      numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { preRollFrames: PRE_ROLL_FRAMES },
    });
    node.port.onmessage = (event: MessageEvent<WorkletFrame>) => {
      if (event.data?.type === 'frame') onFrame(event.data.samples);
    };
    context.createMediaStreamSource(stream).connect(node);
    node.connect(context.destination); // pulls the graph; the node outputs silence
    if (context.state === 'suspended') await context.resume();
    const ready = context;
    return {
      stream,
      command: (command: WorkletCommand) => node.port.postMessage(command),
      async resume() {
        if (ready.state === 'suspended') await ready.resume();
      },
      async close() {
        node.port.onmessage = null;
        node.disconnect();
        stopTracks();
        await ready.close().catch(() => undefined);
      },
    };
  }
}

async function prepareContext(rate: number | null): Promise<AudioContext> {
  const context = new AudioContext(rate ? { sampleRate: rate, latencyHint: 'interactive' } : { latencyHint: 'interactive' });
  try {
    await context.audioWorklet.addModule(workletUrl);
    if (context.state === 'suspended') await context.resume();
    return context;
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
}
