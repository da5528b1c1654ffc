import { describe, expect, it } from 'vitest';
import { SilenceEndpointer } from '../../../electron/core/vad/silence-endpointer';
import type { EndpointerEvent } from '../../../electron/core/vad/types';

const WINDOW = 32;

/** Feeds a script like "S×20 _×50" (S speech, _ silence, ×n windows of 32 ms); returns events. */
function run(endpointer: SilenceEndpointer, script: string): EndpointerEvent[] {
  const events: EndpointerEvent[] = [];
  for (const part of script.trim().split(/\s+/)) {
    const [symbol, times] = part.split('×');
    for (let i = 0; i < Number(times ?? 1); i++) {
      const event = endpointer.observe(symbol === 'S', WINDOW);
      if (event) events.push(event);
    }
  }
  return events;
}

describe('SilenceEndpointer', () => {
  const config = { silenceMs: 1500, minSpeechMs: 250 };

  it('stops on the window where silence after speech reaches the limit', () => {
    const e = new SilenceEndpointer(config);
    const events = run(e, 'S×30 _×46'); // 46 × 32 = 1472 ms: not yet
    expect(events).toEqual([]);
    expect(e.phase).toBe('pausing');
    expect(run(e, '_')).toEqual([{ type: 'stop', reason: 'silence', atMs: 77 * WINDOW, silenceMs: 47 * WINDOW }]);
    expect(e.phase).toBe('stopped');
  });

  it('never stops in pauses shorter than the limit, however many', () => {
    const e = new SilenceEndpointer(config);
    expect(run(e, 'S×20 _×46 S×3 _×46 S×1 _×46 S×10 _×40')).toEqual([]);
    expect(e.phase).toBe('pausing');
  });

  it('never stops before speech was heard', () => {
    const e = new SilenceEndpointer(config);
    expect(run(e, '_×500')).toEqual([]);
    expect(e.phase).toBe('waiting');
    expect(e.heardSpeech).toBe(false);
  });

  it('ends a dictation in which nothing was said once the no-speech timeout passes, clicks or not', () => {
    const e = new SilenceEndpointer({ ...config, noSpeechTimeoutMs: 3200 }); // 100 windows
    expect(run(e, '_×40 S×3 _×40 S×2 _×14')).toEqual([]);
    expect(run(e, '_')).toEqual([{ type: 'stop', reason: 'no-speech', atMs: 3200, silenceMs: 3200 }]);
    expect(e.phase).toBe('stopped');
  });

  it('does not apply the no-speech timeout once speech was heard, nor while armed', () => {
    const heard = new SilenceEndpointer({ silenceMs: 5000, minSpeechMs: 100, noSpeechTimeoutMs: 1000 });
    expect(run(heard, 'S×5 _×100')).toEqual([]);
    const armed = new SilenceEndpointer({ ...config, noSpeechTimeoutMs: 1000 }, { armed: true });
    expect(run(armed, '_×500')).toEqual([]);
    expect(armed.phase).toBe('armed');
  });

  it('ignores speech bursts shorter than minSpeechMs (clicks) when deciding speech was heard', () => {
    const e = new SilenceEndpointer(config); // 250 ms = 8 windows (7 × 32 = 224 is short)
    expect(run(e, 'S×7 _×100 S×2 _×100')).toEqual([]);
    expect(e.heardSpeech).toBe(false);
    run(e, 'S×8');
    expect(e.heardSpeech).toBe(true);
    expect(run(e, '_×47')).toHaveLength(1);
  });

  it('counts a pause from the last speech, not from the first silence', () => {
    const e = new SilenceEndpointer(config);
    const events = run(e, 'S×20 _×40 S×1 _×47');
    expect(events).toEqual([{ type: 'stop', reason: 'silence', atMs: (20 + 40 + 1 + 47) * WINDOW, silenceMs: 47 * WINDOW }]);
  });

  it('ignores input once stopped', () => {
    const e = new SilenceEndpointer(config);
    run(e, 'S×20 _×47');
    expect(run(e, 'S×50 _×100')).toEqual([]);
    expect(e.phase).toBe('stopped');
  });

  it('when armed, starts once speech lasts minSpeechMs and reports where the speech began', () => {
    const e = new SilenceEndpointer(config, { armed: true });
    const events = run(e, '_×10 S×3 _×2 S×8');
    // The 3-window burst is too short; the run that starts after 15 windows qualifies at its 8th.
    expect(events).toEqual([{ type: 'start', atMs: 23 * WINDOW, speechStartMs: 15 * WINDOW }]);
    expect(e.phase).toBe('speaking');
    expect(run(e, '_×47')).toEqual([{ type: 'stop', reason: 'silence', atMs: 70 * WINDOW, silenceMs: 47 * WINDOW }]);
  });

  it('with minSpeechMs 0 a single speech window counts', () => {
    const e = new SilenceEndpointer({ silenceMs: 200, minSpeechMs: 0 }, { armed: true });
    expect(run(e, '_ S')).toEqual([{ type: 'start', atMs: 64, speechStartMs: 32 }]);
  });

  it('keeps what it heard and counted when the settings change mid-pause', () => {
    const e = new SilenceEndpointer(config);
    run(e, 'S×20 _×20'); // 640 ms of silence counted
    e.setConfig({ silenceMs: 700, minSpeechMs: 250 });
    expect(run(e, '_×1')).toEqual([]); // 672
    expect(run(e, '_×1')).toEqual([{ type: 'stop', reason: 'silence', atMs: 42 * WINDOW, silenceMs: 22 * WINDOW }]);
  });

  it('handles spans of any length (the unit is time, not windows)', () => {
    const e = new SilenceEndpointer({ silenceMs: 1000, minSpeechMs: 100 });
    expect(e.observe(true, 100)).toBeNull();
    expect(e.observe(false, 999.5)).toBeNull();
    expect(e.observe(false, 0.5)).toEqual({ type: 'stop', reason: 'silence', atMs: 1100, silenceMs: 1000 });
  });

  it('rejects bad settings and spans with a clear error', () => {
    expect(() => new SilenceEndpointer({ silenceMs: 0, minSpeechMs: 0 })).toThrow(/silenceMs/);
    expect(() => new SilenceEndpointer({ silenceMs: Number.NaN, minSpeechMs: 0 })).toThrow(/silenceMs/);
    expect(() => new SilenceEndpointer({ silenceMs: 100, minSpeechMs: -1 })).toThrow(/minSpeechMs/);
    const e = new SilenceEndpointer(config);
    expect(() => e.observe(true, -5)).toThrow(/duration/);
    expect(() => e.observe(true, Number.POSITIVE_INFINITY)).toThrow(/duration/);
    expect(() => e.setConfig({ silenceMs: -1, minSpeechMs: 0 })).toThrow(/silenceMs/);
    expect(() => e.setConfig({ silenceMs: 100, minSpeechMs: 0, noSpeechTimeoutMs: 0 })).toThrow(/noSpeechTimeoutMs/);
    expect(() => e.setConfig({ silenceMs: 100, minSpeechMs: 0, noSpeechTimeoutMs: Number.NaN })).toThrow(/noSpeechTimeoutMs/);
    expect(e.elapsedMs).toBe(0);
  });
});
