import { describe, expect, it } from 'vitest';
import type { DictationStatus, Result } from '../../electron/common/ipc-contract';
import { driveCapture } from '../../renderer/src/audio/capture-driver';
import type { MicrophoneCapture } from '../../renderer/src/audio/capture';
import type { VoxtralClient } from '../../renderer/src/ipc/client';
import { createAppStore } from '../../renderer/src/stores/app-store';

const status = (state: DictationStatus['state'], source: DictationStatus['source'] = 'mic'): DictationStatus =>
  ({ state, since: 1, sessionId: 's1', source, error: null });

function setup(options: { failOpen?: boolean } = {}) {
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
  const capture: MicrophoneCapture = {
    async start(deviceId) {
      log.push(`start ${deviceId}`);
      if (options.failOpen) throw new Error('Permission denied');
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
