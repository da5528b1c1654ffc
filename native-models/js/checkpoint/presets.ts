/** Architectures of the random checkpoints: `tiny` and `small` for tests, `full` = the real 4B shape. */
import { REAL_AUDIO_ENCODING, type ModelConfig } from './model-config.js';

export type PresetName = 'tiny' | 'small' | 'full';

const common = { ropeTheta: 1e6, normEps: 1e-5 };

export const presets: Record<PresetName, ModelConfig> = {
  // Spec §8's HF tiny config, so the same checkpoint can run in transformers for parity.
  tiny: {
    encoder: { dim: 64, nLayers: 2, nHeads: 4, headDim: 16, hiddenDim: 128, slidingWindow: 750, ...common },
    decoder: { dim: 64, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 16, hiddenDim: 128, slidingWindow: 8192, ...common },
    vocabSize: 1280, adaTCondDim: 32, downsampleFactor: 4, audio: REAL_AUDIO_ENCODING,
  },
  // Short windows so ring caches wrap within a few seconds of audio.
  small: {
    encoder: { dim: 128, nLayers: 2, nHeads: 4, headDim: 32, hiddenDim: 256, slidingWindow: 40, ...common },
    decoder: { dim: 128, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 32, hiddenDim: 256, slidingWindow: 24, ...common },
    vocabSize: 1280, adaTCondDim: 32, downsampleFactor: 4, audio: REAL_AUDIO_ENCODING,
  },
  // Voxtral-Mini-4B-Realtime-2602 (spec §1).
  full: {
    encoder: { dim: 1280, nLayers: 32, nHeads: 32, headDim: 64, hiddenDim: 5120, slidingWindow: 750, ...common },
    decoder: { dim: 3072, nLayers: 26, nHeads: 32, nKvHeads: 8, headDim: 128, hiddenDim: 9216, slidingWindow: 8192, ...common },
    vocabSize: 131072, adaTCondDim: 32, downsampleFactor: 4, audio: REAL_AUDIO_ENCODING,
  },
};

export function isPresetName(name: string): name is PresetName {
  return name in presets;
}
