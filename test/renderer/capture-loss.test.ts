// Reading Chromium's per-track audio counters (MediaStreamTrack.stats) and what was lost between
// two readings: tolerant of browsers without them and of tracks that refuse.
import { describe, expect, it } from 'vitest';
import { lostBetween, readTrackTotals } from '../../renderer/src/audio/capture-loss';

const track = (stats: unknown) => ({ stats }) as unknown as MediaStreamTrack;

describe('capture loss', () => {
  it('reads the captured and delivered durations', () => {
    expect(readTrackTotals(track({ totalFramesDuration: 1500, deliveredFramesDuration: 1480, totalFrames: 72000 }))).toEqual({ capturedMs: 1500, deliveredMs: 1480 });
  });

  it('is null without counters: no track, no stats, missing or non-finite fields, a getter that throws', () => {
    expect(readTrackTotals(undefined)).toBeNull();
    expect(readTrackTotals(track(undefined))).toBeNull();
    expect(readTrackTotals(track({ totalFramesDuration: 10 }))).toBeNull();
    expect(readTrackTotals(track({ totalFramesDuration: Number.NaN, deliveredFramesDuration: 0 }))).toBeNull();
    const refusing = Object.defineProperty({}, 'stats', { get() { throw new Error('InvalidStateError'); } }) as MediaStreamTrack;
    expect(readTrackTotals(refusing)).toBeNull();
  });

  it('counts audio captured but not delivered between two readings, never below zero', () => {
    const at = (capturedMs: number, deliveredMs: number) => ({ capturedMs, deliveredMs });
    expect(lostBetween(at(1000, 990), at(3000, 2900))).toBe(90);
    expect(lostBetween(at(1000, 990), at(3000, 2990))).toBe(0);
    // delivery catching up on audio captured before the first reading is not a negative loss
    expect(lostBetween(at(1000, 900), at(1100, 1100))).toBe(0);
    expect(lostBetween(null, at(1, 0))).toBe(0);
    expect(lostBetween(at(1, 0), null)).toBe(0);
  });
});
