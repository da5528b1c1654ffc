/**
 * When each word of a transcription was said. Token j of a segment is sampled at decoder position
 * 38 + j, which describes the audio about j · 80 ms after the segment's first sample (spec §6: the
 * 39-token prompt already holds the model's 480 ms delay), so a word starts at the time of the
 * token that began it and ends 80 ms after the token that finished it. The model writes a word
 * about as it hears it end, so these times run a few hundred ms behind the voice (the demo model:
 * 0.2–0.4 s, test/native/transcribe-cli.test.ts); fine for subtitles, not for editing audio.
 */
import type { Tekken } from '../tokenizer/tekken.js';
import type { SegmentSummary } from './continuous-session.js';
import { SegmentedDecoder } from './segment-text.js';

export const MS_PER_TOKEN = 80;
const SAMPLES_PER_MS = 16;

export interface TimedWord {
  text: string;
  startMs: number;
  endMs: number;
}

export function timedWords(tokenizer: Tekken, tokens: readonly number[], segments: readonly SegmentSummary[]): TimedWord[] {
  const decoder = new SegmentedDecoder(tokenizer);
  const words: TimedWord[] = [];
  let word: TimedWord | null = null;
  const take = (piece: string, atMs: number) => {
    for (const ch of piece) {
      if (/\s/u.test(ch)) {
        word = null;
        continue;
      }
      if (!word) {
        word = { text: '', startMs: atMs, endMs: atMs + MS_PER_TOKEN };
        words.push(word);
      }
      word.text += ch;
      word.endMs = atMs + MS_PER_TOKEN;
    }
  };
  let lastMs = 0;
  segments.forEach((segment, s) => {
    const originMs = segment.startSample / SAMPLES_PER_MS;
    for (let j = 0; j < segment.tokenCount; j++) {
      lastMs = originMs + j * MS_PER_TOKEN;
      take(decoder.push([tokens[segment.firstToken + j]], s), lastMs);
    }
  });
  take(decoder.flush(), lastMs);
  return words;
}
