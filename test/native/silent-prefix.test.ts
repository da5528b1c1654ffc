/**
 * The silent prefix (native-models/src/model/silent_prefix.h): the prompt's first tokens hear only
 * the left pad's zeros, so the model's load computes their state once and every session starts
 * from a copy. A copied start must transcribe exactly as a computed one, for any audio, and only
 * the tokens that reach no real sample may be copied.
 */
import { describe, expect, it } from 'vitest';

import { streamGeometry } from '../../native-models/js/continuation/continuous-session.js';
import type { ActivationDtype } from '../../native-models/js/engine.js';
import { fixtureAudio, load, packedPair, streamThrough } from './helpers.js';

const cases: { name: string; dtype: ActivationDtype; quant: 'none' | '4w' }[] = [
  { name: 'fp32 activations, full weights', dtype: 'fp32', quant: 'none' },
  { name: 'bf16 activations, 4-bit weights', dtype: 'bf16', quant: '4w' },
];

describe('silent prefix', () => {
  for (const c of cases) {
    it(`a session started from the saved prefix transcribes as one that computed it (${c.name})`, async () => {
      const pair = packedPair('small', { quant: c.quant });
      const fox = fixtureAudio('quick-brown-fox-16k.wav');
      const hello = fixtureAudio('hello-dictation-16k.wav');
      const model = await load(pair, c.dtype);
      // A second model computes every prompt in full: capturing activations keeps a session off
      // the prefix, so that its captures start at token 0.
      const reference = await load(pair, c.dtype);
      try {
        const g = streamGeometry(model.info);
        // Token p reads samples up to step·(p + 1) + look-ahead: those before the pad's last token.
        const silentTokens = Math.floor((g.leftPadSamples - g.lookAheadSamples) / g.stepSamples);
        expect(silentTokens).toBe(model.info.n_left_pad_tokens - 1);

        // Even the model's first session starts from the copy the load made.
        const first = await streamThrough(model, fox);
        expect(first.result.reusedPrefixTokens).toBe(silentTokens);
        const foxFull = await streamThrough(reference, fox, undefined, ['audio_embeds', 'logits']);
        expect(foxFull.result.reusedPrefixTokens).toBe(0);
        expect(new Set(foxFull.result.tokens).size).toBeGreaterThan(3);
        expect(first.result.tokens).toEqual(foxFull.result.tokens);

        // So do later ones, whatever their audio and however it arrives.
        const again = await streamThrough(model, fox, () => 3000);
        expect(again.result.reusedPrefixTokens).toBe(silentTokens);
        expect(again.result.tokens).toEqual(foxFull.result.tokens);
        expect(again.positions[0]).toBe(foxFull.positions[0]);

        const other = await streamThrough(model, hello);
        expect(other.result.reusedPrefixTokens).toBe(silentTokens);
        const otherFull = await streamThrough(reference, hello, undefined, ['audio_embeds', 'logits']);
        expect(other.result.tokens).toEqual(otherFull.result.tokens);
        expect(other.result.tokens).not.toEqual(foxFull.result.tokens);
        const promptTokens = 1 + model.info.n_left_pad_tokens + model.info.delay_tokens;
        expect(otherFull.captures.audio_embeds?.rows).toBe(promptTokens + otherFull.result.steps - 1);

        // Logits (one row per sampled token) are captured from a copied start too, and are the
        // computed start's to the bit.
        const logits = await streamThrough(model, hello, undefined, ['logits']);
        expect(logits.result.reusedPrefixTokens).toBe(silentTokens);
        expect(logits.captures.logits?.rows).toBe(otherFull.captures.logits?.rows);
        const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
        expect(bytes(logits.captures.logits!.data).equals(bytes(otherFull.captures.logits!.data))).toBe(true);
      } finally {
        model.dispose();
        reference.dispose();
      }
    });
  }

  it('is made by the load, before any session, and a session without audio changes nothing', async () => {
    const model = await load(packedPair('tiny'));
    try {
      const silence = await streamThrough(model, new Float32Array(0));
      expect(silence.result).toMatchObject({ steps: 0, reusedPrefixTokens: 0, prefillMs: 0 });
      const speech = await streamThrough(model, fixtureAudio('hello-dictation-16k.wav'));
      expect(speech.result.reusedPrefixTokens).toBe(model.info.n_left_pad_tokens - 1);
      const full = await streamThrough(model, fixtureAudio('hello-dictation-16k.wav'), undefined, ['mel']);
      expect(full.result.reusedPrefixTokens).toBe(0);
      expect(speech.result.tokens).toEqual(full.result.tokens);
    } finally {
      model.dispose();
    }
  });

  it('is off where VXD_SILENT_PREFIX=0 says so (the switch that keeps it off CUDA by default)', async () => {
    process.env.VXD_SILENT_PREFIX = '0';
    let model;
    try {
      model = await load(packedPair('tiny'));
    } finally {
      delete process.env.VXD_SILENT_PREFIX;
    }
    try {
      const off = await streamThrough(model, fixtureAudio('hello-dictation-16k.wav'));
      expect(off.result.reusedPrefixTokens).toBe(0);
      const on = await load(packedPair('tiny'));
      try {
        const copied = await streamThrough(on, fixtureAudio('hello-dictation-16k.wav'));
        expect(copied.result.reusedPrefixTokens).toBe(on.info.n_left_pad_tokens - 1);
        expect(copied.result.tokens).toEqual(off.result.tokens);
      } finally {
        on.dispose();
      }
    } finally {
      model.dispose();
    }
  });
});
