// Which moments of a dictation make which sound, and how each sound is scheduled on Web Audio
// (a recording context here; test/renderer/sound-cues-chromium.test.ts renders them in Chromium).

import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { DictationStatus, Settings } from '../../../electron/common/ipc-contract';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { CUE_GAIN, cueFor, playCue, playSoundCues, type CueContext } from '../../../renderer/src/audio/sound-cues';
import type { AppStore } from '../../../renderer/src/stores/app-store';

const at = (state: DictationStatus['state'], source: DictationStatus['source'] = 'mic'): DictationStatus =>
  ({ state, since: 0, sessionId: 's', source, error: null });

/** Records what playCue asks of Web Audio. */
function recordingContext() {
  const log: string[] = [];
  const param = (name: string) => ({
    setValueAtTime: (v: number, t: number) => { log.push(`${name}=${v}@${t.toFixed(3)}`); },
    linearRampToValueAtTime: (v: number, t: number) => { log.push(`${name}->${v}@${t.toFixed(3)}`); },
  });
  const ctx = {
    currentTime: 1,
    destination: { name: 'out' },
    createOscillator: () => ({
      type: '', frequency: param('hz'),
      connect: () => undefined, start: (t: number) => log.push(`start@${t.toFixed(3)}`), stop: (t: number) => log.push(`stop@${t.toFixed(3)}`),
    }),
    createGain: () => ({ gain: param('gain'), connect: (to: unknown) => log.push(to === ctx.destination ? 'to out' : 'to ?') }),
  };
  return { ctx: ctx as unknown as CueContext, log };
}

describe('sound cues', () => {
  it('start when listening begins, stop when it finishes, cancel when it ends without finishing, error on failure', () => {
    expect(cueFor(at('idle'), at('loading'))).toBeNull();
    expect(cueFor(at('loading'), at('listening'))).toBe('start');
    expect(cueFor(at('idle'), at('listening'))).toBe('start'); // a warm model: no loading state
    expect(cueFor(at('listening'), at('finishing'))).toBe('stop');
    expect(cueFor(at('finishing'), at('idle'))).toBeNull(); // the stop tone already played
    expect(cueFor(at('listening'), at('idle'))).toBe('cancel');
    expect(cueFor(at('loading'), at('idle'))).toBe('cancel');
    expect(cueFor(at('listening'), at('error'))).toBe('error');
    expect(cueFor(at('listening'), at('listening'))).toBeNull();
    // A file being transcribed makes no sound.
    expect(cueFor(at('loading', 'file'), at('listening', 'file'))).toBeNull();
    expect(cueFor(at('listening', 'file'), at('error', 'file'))).toBeNull();
  });

  it('schedules each tone with short ramps to and from silence, to the output', () => {
    const { ctx, log } = recordingContext();
    playCue(ctx, 'start');
    expect(log).toEqual([
      'hz=880@1.010', 'gain=0@1.010', `gain->${CUE_GAIN}@1.015`, `gain=${CUE_GAIN}@1.065`, 'gain->0@1.070', 'to out', 'start@1.010', 'stop@1.070',
      'hz=1320@1.080', 'gain=0@1.080', `gain->${CUE_GAIN}@1.085`, `gain=${CUE_GAIN}@1.145`, 'gain->0@1.150', 'to out', 'start@1.080', 'stop@1.150',
    ]);
  });

  it('plays only while the setting is on', () => {
    const settings: Settings = { ...defaultSettings(), playSounds: false };
    const store = createStore<{ settings: Settings | null; status: DictationStatus }>(() => ({ settings, status: at('idle') }));
    const { ctx, log } = recordingContext();
    const played = () => log.filter((l) => l.startsWith('hz=')).map((l) => l.slice(3, l.indexOf('@')));
    const stop = playSoundCues(store as unknown as AppStore, () => ctx);
    store.setState({ status: at('listening') });
    expect(played()).toEqual([]);
    store.setState({ settings: { ...settings, playSounds: true }, status: at('idle') }); // settings and a cancel together
    expect(played()).toEqual(['520']);
    store.setState({ status: at('listening') });
    store.setState({ status: at('finishing') });
    expect(played()).toEqual(['520', '880', '1320', '1320', '880']);
    stop();
    store.setState({ status: at('idle') });
    store.setState({ status: at('listening') });
    expect(played()).toHaveLength(5);
  });
});
