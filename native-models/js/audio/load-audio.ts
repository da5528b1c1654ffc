/** Reads a WAV file as 16 kHz mono float samples: the engine's input format. */
import { readFileSync } from 'node:fs';

import { ENGINE_SAMPLE_RATE } from './engine-audio-sink.js';
import { resample } from './resample.js';
import { mixToMono, parseWav, type DecodedWav } from './wav.js';

export { ENGINE_SAMPLE_RATE };

export interface EngineAudio {
  samples: Float32Array;
  source: Pick<DecodedWav, 'sampleRate' | 'channels' | 'encoding'>;
}

export function toEngineAudio(wav: DecodedWav): EngineAudio {
  const mono = mixToMono(wav.channelData);
  return {
    samples: resample(mono, wav.sampleRate, ENGINE_SAMPLE_RATE),
    source: { sampleRate: wav.sampleRate, channels: wav.channels, encoding: wav.encoding },
  };
}

export function readWavFile(path: string): EngineAudio {
  return toEngineAudio(parseWav(readFileSync(path)));
}
