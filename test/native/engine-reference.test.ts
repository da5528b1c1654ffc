/**
 * End to end against an independent float64 numpy model (test/native/numpy_reference.py): mel,
 * encoder, adapter and logits of the streaming engine match, and the greedy tokens are the
 * reference's argmax. `small` has windows shorter than the audio, so both ring caches wrap.
 */
import { describe, expect, it } from 'vitest';

import { argmaxRows, compare, fixtureAudio, load, numpyReference, packedPair, streamThrough } from './helpers.js';

const CAPTURE = ['mel', 'encoder', 'audio_embeds', 'logits'] as const;

describe.each(['tiny', 'small'] as const)('engine vs float64 reference (%s, fp32)', (preset) => {
  it('matches mel, encoder, audio embeddings, logits and greedy tokens', async () => {
    const pair = packedPair(preset);
    const pcm = fixtureAudio('quick-brown-fox-16k.wav');
    const model = await load(pair);
    try {
      const { result, captures } = await streamThrough(model, pcm, undefined, [...CAPTURE]);
      const ref = numpyReference(pair.checkpoint, pcm, result.tokens, `${preset}-fp32`);
      // n_audio positions: 32 left pad + ceil(N/1280) + 17 right pad; one token per position from 38 on.
      const nAudio = 32 + Math.ceil(pcm.length / 1280) + 17;
      expect(result.tokens.length).toBe(nAudio - 38);
      expect(captures.mel!.rows).toBe(ref.shapes.mel[0]);
      expect(captures.encoder!.rows).toBe(ref.shapes.encoder[0]);
      expect(captures.audio_embeds!.rows).toBe(nAudio);
      expect(captures.logits!.rows).toBe(result.tokens.length);
      expect(compare(captures.mel!.data, ref.mel).maxAbs).toBeLessThan(1e-4);
      expect(compare(captures.encoder!.data, ref.encoder).rel).toBeLessThan(1e-4);
      expect(compare(captures.audio_embeds!.data, ref.audio_embeds).rel).toBeLessThan(1e-4);
      expect(compare(captures.logits!.data, ref.logits).rel).toBeLessThan(1e-4);
      expect(result.tokens).toEqual(argmaxRows(ref.logits, ref.shapes.logits[1]));
      // A model that only ever repeats one id would make the token check weak.
      if (preset === 'small') expect(new Set(result.tokens).size).toBeGreaterThan(3);
    } finally {
      model.dispose();
    }
  });
});

describe('quantized weights are computed exactly as packed', () => {
  it.each(['8w', '4w'] as const)('%s matches the reference run on the same rounded weights', async (quant) => {
    const pair = packedPair('small', { quant });
    const pcm = fixtureAudio('hello-dictation-16k.wav');
    const model = await load(pair);
    try {
      const { result, captures } = await streamThrough(model, pcm, undefined, ['logits']);
      const ref = numpyReference(pair.checkpoint, pcm, result.tokens, `small-${quant}`, quant);
      expect(captures.logits!.rows).toBe(ref.shapes.logits[0]);
      // The numpy side re-derives the packer's rounding; 8w scale ties may land one quantum apart.
      const exact = compare(captures.logits!.data, ref.logits);
      expect(exact.rel).toBeLessThan(quant === '8w' ? 1e-3 : 1e-4);
    } finally {
      model.dispose();
    }
  });
});
