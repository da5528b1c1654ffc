import { describe, expect, it, vi } from 'vitest';
import type { DictationStatus, Result } from '../../electron/common/ipc-contract';
import { ARMED_RETRY_FIRST_MS, ARMED_RETRY_MAX_MS, driveCapture } from '../../renderer/src/audio/capture-driver';
import type { MicrophoneCapture } from '../../renderer/src/audio/capture';
import type { VoxtralClient } from '../../renderer/src/ipc/client';
import { createAppStore } from '../../renderer/src/stores/app-store';

const status = (state: DictationStatus['state'], source: DictationStatus['source'] = 'mic'): DictationStatus =>
  ({ state, since: 1, sessionId: 's1', source, error: null });

/** A driven capture whose first `failures` opens throw (failOpen: all of them). */
function setup(options: { failOpen?: boolean; failures?: number } = {}) {
  const calls: string[] = [];
  const client = {
    call: async (name: string) => {
      calls.push(name);
      return { ok: true, value: status('idle') } as Result<unknown>;
    },
    on: () => () => undefined,
    requestAudioPort: () => undefined,
  } as unknown as VoxtralClient;
  const store = createAppStore(client);
  const log: string[] = [];
  let failures = options.failOpen ? Infinity : options.failures ?? 0;
  const capture: MicrophoneCapture = {
    async start(deviceId) {
      log.push(`start ${deviceId}`);
      if (failures-- > 0) throw new Error(options.failOpen ? 'Permission denied' : 'Requested device not found');
    },
    async stop() { log.push('stop'); },
  };
  const stopDriving = driveCapture(store, capture);
  return { store, log, calls, stopDriving };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('microphone capture follows the dictation state', () => {
  it('opens while loading/listening and closes when finishing, once each', async () => {
    const { store, log } = setup();
    store.getState().applyStatus(status('loading'));
    store.getState().applyStatus(status('listening'));
    await flush();
    expect(log).toEqual(['start null']);
    store.getState().applyStatus(status('finishing'));
    store.getState().applyStatus(status('idle'));
    await flush();
    expect(log).toEqual(['start null', 'stop']);
  });

  it('streams while start-on-speech is armed and keeps streaming into the dictation it starts', async () => {
    const { store, log } = setup();
    const armed = (state: DictationStatus['state'], on: boolean): DictationStatus =>
      ({ ...status(state), handsFree: { available: true, reason: null, armed: on } });
    store.getState().applyStatus(armed('idle', true));
    await flush();
    expect(log).toEqual(['start null']);
    store.getState().applyStatus(armed('loading', false)); // speech started a dictation: same stream
    store.getState().applyStatus(armed('listening', false));
    await flush();
    expect(log).toEqual(['start null']);
    store.getState().applyStatus(armed('finishing', false));
    store.getState().applyStatus(armed('idle', true)); // armed again after the text is in
    await flush();
    expect(log).toEqual(['start null', 'stop', 'start null']);
    store.getState().applyStatus(armed('idle', false)); // setting turned off
    await flush();
    expect(log).toEqual(['start null', 'stop', 'start null', 'stop']);
  });

  it('uses the microphone chosen in settings and ignores file jobs', async () => {
    const { store, log } = setup();
    store.setState({ settings: { microphone: { deviceId: 'usb-mic' } } as never });
    store.getState().applyStatus(status('listening', 'file'));
    await flush();
    expect(log).toEqual([]);
    store.getState().applyStatus(status('idle'));
    store.getState().applyStatus(status('listening'));
    await flush();
    expect(log).toEqual(['start usb-mic']);
  });

  it('reports a microphone that cannot be opened and cancels the dictation', async () => {
    const { store, calls } = setup({ failOpen: true });
    store.getState().applyStatus(status('listening'));
    await flush();
    await flush();
    expect(store.getState().dictationError?.message).toBe('The microphone could not be opened: Permission denied');
    expect(calls).toContain('cancelDictation');
  });
});

describe('start-on-speech keeps trying a microphone that cannot be opened', () => {
  const armed = (on: boolean): DictationStatus =>
    ({ ...status('idle'), source: null, handsFree: { available: true, reason: null, armed: on } });

  const settle = async () => { for (let i = 0; i < 5; ++i) await Promise.resolve(); };

  it('retries with a growing delay, says so meanwhile, and clears the error once it opens', async () => {
    vi.useFakeTimers();
    try {
      const { store, log, calls } = setup({ failures: 2 });
      store.getState().applyStatus(armed(true));
      await settle();
      expect(log).toEqual(['start null']);
      expect(store.getState().dictationError?.message).toBe(
        'The microphone could not be opened: Requested device not found. Start on speech tries again until it opens.');
      expect(calls).not.toContain('cancelDictation'); // nothing to cancel: no dictation runs
      await vi.advanceTimersByTimeAsync(ARMED_RETRY_FIRST_MS - 1);
      expect(log).toEqual(['start null']);
      await vi.advanceTimersByTimeAsync(1);
      await settle();
      expect(log).toEqual(['start null', 'start null']); // second failure: next try after twice the delay
      await vi.advanceTimersByTimeAsync(2 * ARMED_RETRY_FIRST_MS - 1);
      expect(log).toEqual(['start null', 'start null']);
      await vi.advanceTimersByTimeAsync(1);
      await settle();
      expect(log).toEqual(['start null', 'start null', 'start null']);
      expect(store.getState().dictationError).toBeNull();
      await vi.advanceTimersByTimeAsync(10 * ARMED_RETRY_MAX_MS);
      expect(log).toEqual(['start null', 'start null', 'start null']); // open: no more tries
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops trying (and drops the error) when arming ends, and never waits longer than the cap', async () => {
    vi.useFakeTimers();
    try {
      const { store, log } = setup({ failures: 100 });
      store.getState().applyStatus(armed(true));
      await settle();
      // 2 + 4 + 8 + 16 + 30 + 30 s: the delay doubles up to the cap.
      for (const wait of [2, 4, 8, 16, 30, 30]) {
        const before = log.length;
        await vi.advanceTimersByTimeAsync(wait * 1000);
        await settle();
        expect(log.length, `after ${wait} s`).toBe(before + 1);
      }
      store.getState().applyStatus(armed(false));
      await settle();
      expect(store.getState().dictationError).toBeNull();
      const tries = log.length;
      await vi.advanceTimersByTimeAsync(10 * ARMED_RETRY_MAX_MS);
      expect(log.length).toBe(tries);
    } finally {
      vi.useRealTimers();
    }
  });
});
