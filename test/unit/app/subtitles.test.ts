/** Subtitle cues from timed words, and their SubRip / WebVTT text. */
import { describe, expect, it } from 'vitest';
import { formatSubtitles, subtitleCues, type TimedText } from '../../../electron/common/subtitles';

/** Words said one after another, each `ms` long, starting at `fromMs`. */
const said = (text: string, fromMs = 0, ms = 300): TimedText[] =>
  text.split(' ').map((w, i) => ({ text: w, startMs: fromMs + i * ms, endMs: fromMs + (i + 1) * ms }));

describe('subtitleCues', () => {
  it('breaks after a sentence, at a pause, past 6 s and past two lines of 42', () => {
    const words = [
      ...said('Good morning everyone.', 0), // a sentence of 0.9 s: too short to close a cue alone
      ...said('Today we look at the budget.', 900),
      ...said('After a pause', 5000), // 2.9 s of silence before it
      ...said('and then a very long run of words that goes on well past what two lines of subtitles can hold at once', 6000, 150),
    ];
    const cues = subtitleCues(words);
    expect(cues.map((c) => c.text)).toEqual([
      'Good morning everyone. Today we look at the budget.',
      // As many words as two lines of 42 hold, then the rest.
      'After a pause and then a very long run of words that goes on well past what two',
      'lines of subtitles can hold at once',
    ]);
    for (const c of cues) {
      expect(c.lines.length).toBeLessThanOrEqual(2);
      for (const line of c.lines) expect(line.length).toBeLessThanOrEqual(42);
      expect(c.lines.join(' ')).toBe(c.text);
      expect(c.endMs - c.startMs).toBeLessThanOrEqual(6000);
    }
    expect(cues[0]).toMatchObject({ startMs: 0, endMs: 2700, lines: ['Good morning everyone.', 'Today we look at the budget.'] }); // the most even split
    expect(cues[1].startMs).toBe(5000);
    // Cues never overlap, and a short last word still stays up a moment.
    for (let i = 1; i < cues.length; i++) expect(cues[i].startMs).toBeGreaterThanOrEqual(cues[i - 1].endMs);
    expect(cues.at(-1)!.endMs - cues.at(-1)!.startMs).toBeGreaterThanOrEqual(300);
  });

  it('gives a word longer than a line a cue of its own, and nothing for no words', () => {
    const long = 'Pneumonoultramicroscopicsilicovolcanoconiosis-and-then-some';
    expect(subtitleCues([...said('It is', 0), { text: long, startMs: 600, endMs: 1500 }]).map((c) => c.text)).toEqual(['It is', long]);
    expect(subtitleCues([])).toEqual([]);
  });
});

describe('formatSubtitles', () => {
  const cues = subtitleCues([...said('One.', 0, 1600), ...said('Two <b> & more', 3_725_400)]);
  it('writes SubRip: numbered, comma milliseconds, hours', () => {
    expect(formatSubtitles(cues, 'srt')).toBe('1\n00:00:00,000 --> 00:00:01,600\nOne.\n\n2\n01:02:05,400 --> 01:02:06,600\nTwo <b> & more\n');
  });
  it('writes WebVTT: the header, dot milliseconds, markup characters escaped', () => {
    expect(formatSubtitles(cues, 'vtt')).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:01.600\nOne.\n\n01:02:05.400 --> 01:02:06.600\nTwo &lt;b&gt; &amp; more\n');
  });
});
