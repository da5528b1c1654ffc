// A real (tiny, random-weight) Voxtral model for the dictation tests: the reference tiny
// checkpoint packed by the project's own packer into a temp dir, with its tekken.json beside it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pack } from '../../../native-models/js/pack/pack';
import { readWavFile } from '../../../native-models/js/audio/load-audio';

export const TINY_CHECKPOINT = 'test/fixtures/reference/tiny/checkpoint';
/** espeak-ng speech, 3 s at 16 kHz. */
export const SPEECH_WAV = 'test/fixtures/audio/hello-dictation-16k.wav';
export const FRAME = 1280;

export interface TinyModel {
  dir: string;
  pte: string;
  ptd: string;
  remove(): void;
}

export function packTinyModel(): TinyModel {
  const dir = mkdtempSync(path.join(tmpdir(), 'vxd-dictation-'));
  const out = path.join(dir, 'model');
  pack({ checkpointDir: TINY_CHECKPOINT, outDir: out, dtype: 'fp32', quant: 'none', groupSize: 32 });
  return {
    dir, pte: path.join(out, 'model.pte'), ptd: path.join(out, 'model.ptd'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function speechSamples(): Float32Array {
  return readWavFile(SPEECH_WAV).samples;
}

/** The audio cut into 80 ms frames (the last one may be short), as the renderer sends it. */
export function framesOf(samples: Float32Array): Float32Array[] {
  const frames: Float32Array[] = [];
  for (let i = 0; i < samples.length; i += FRAME) frames.push(samples.slice(i, i + FRAME));
  return frames;
}
