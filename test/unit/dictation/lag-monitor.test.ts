import { describe, expect, it } from 'vitest';
import { LagMonitor } from '../../../electron/core/dictation/lag-monitor';

const STEP = 1280;

/** Audio arrives in real time (80 ms frames); the engine decodes `speed` steps per frame of wall time. */
function simulate(opts: { speed: number; seconds: number; startBacklogS?: number }) {
  let now = 0;
  const told: number[] = [];
  const monitor = new LagMonitor({ now: () => now, sampleRate: 16_000, onBehind: (s) => told.push(s) });
  let seen = 0;
  if (opts.startBacklogS) monitor.audio(opts.startBacklogS * 16_000); // kept while the model loaded
  let owed = 0;
  for (let t = 0; t < opts.seconds * 1000; t += 80) {
    now = t;
    monitor.audio(STEP);
    owed += opts.speed;
    const steps = Math.min(Math.floor(owed), Math.floor(monitor.backlogS * 16_000 / STEP));
    owed -= steps;
    if (steps > 0) monitor.seen((seen += steps * STEP));
  }
  return { told, backlog: monitor.backlogS };
}

describe('LagMonitor', () => {
  it('says once when decoding is slower than real time and the backlog passes 3 s', () => {
    const { told } = simulate({ speed: 0.5, seconds: 30 }); // half real time: 0.5 s behind per second
    expect(told).toHaveLength(1);
    expect(told[0]).toBeGreaterThanOrEqual(3);
    expect(told[0]).toBeLessThan(4);
  });

  it('stays quiet for an engine faster than real time, even with a backlog from loading the model', () => {
    expect(simulate({ speed: 1, seconds: 30 }).told).toEqual([]);
    const loaded = simulate({ speed: 1.5, seconds: 30, startBacklogS: 6 }); // 6 s kept during the load, then caught up
    expect(loaded.told).toEqual([]);
    expect(loaded.backlog).toBeLessThan(0.1);
  });

  it('says so when a backlog from the load never shrinks (an engine at real time)', () => {
    const { told } = simulate({ speed: 1, seconds: 20, startBacklogS: 6 });
    expect(told).toHaveLength(1);
    expect(told[0]).toBeGreaterThanOrEqual(5.9);
  });

  it('stays quiet for an engine just slower than real time while the backlog is small', () => {
    expect(simulate({ speed: 0.95, seconds: 40 }).told).toEqual([]); // 2 s behind after 40 s: under the threshold
  });
});
