/**
 * How each tensor of a random checkpoint is initialised. These scales keep random models from copying
 * their input token forever (environment-notes, last section): small token embeddings and a stronger
 * adapter output make the token stream change with the audio.
 */
import type { CheckpointTensor } from './tensor-names.js';

export interface NormalInit {
  mean: number;
  std: number;
}

export function initFor(t: CheckpointTensor): NormalInit {
  const fanIn = t.shape.slice(1).reduce((a, b) => a * b, 1);
  switch (t.role) {
    case 'linear':
    case 'ada':
    case 'conv':
      return { mean: 0, std: 1 / Math.sqrt(fanIn) };
    case 'adapter_out':
      return { mean: 0, std: 2 / Math.sqrt(fanIn) };
    case 'bias':
      return { mean: 0, std: 0.02 };
    case 'norm':
      return { mean: 1, std: 0.05 };
    case 'embedding':
      return { mean: 0, std: 0.02 };
  }
}
