// keepMicrophoneWarm: the microphone is open exactly while dictation is possible (a model chosen),
// follows the chosen device, and is left alone while a dictation owns it.

import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { DictationStatus, Settings } from '../../../electron/common/ipc-contract';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { keepMicrophoneWarm } from '../../../renderer/src/audio/keep-warm';
import type { AppStore } from '../../../renderer/src/stores/app-store';

const status = (state: DictationStatus['state']): DictationStatus => ({ state, since: 0, sessionId: 's', source: 'mic', error: null });

function setup() {
  const store = createStore<{ settings: Settings | null; status: DictationStatus }>(() => ({ settings: null, status: status('idle') }));
  const calls: string[] = [];
  const capture = {
    warm: async (deviceId: string | null) => { calls.push(`warm ${deviceId}`); },
    release: async () => { calls.push('release'); },
  };
  const stop = keepMicrophoneWarm(store as unknown as AppStore, capture);
  const withModel = (deviceId: string | null = null): Settings => {
    const s = defaultSettings();
    s.model = { pte: '/m/model.pte', ptd: null };
    s.microphone = { deviceId };
    return s;
  };
  return { store, calls, stop, withModel };
}

describe('keepMicrophoneWarm', () => {
  it('opens the microphone once a model is chosen, follows the device, closes without a model', () => {
    const { store, calls, withModel } = setup();
    expect(calls).toEqual([]); // settings not loaded yet
    store.setState({ settings: defaultSettings() });
    expect(calls).toEqual([]); // no model: dictation is not possible
    store.setState({ settings: withModel() });
    store.setState({ settings: { ...withModel(), showOverlay: false } });
    expect(calls).toEqual(['warm null']);
    store.setState({ settings: withModel('usb-mic') });
    expect(calls).toEqual(['warm null', 'warm usb-mic']);
    store.setState({ settings: defaultSettings() });
    expect(calls).toEqual(['warm null', 'warm usb-mic', 'release']);
  });

  it('leaves the microphone to a running dictation and catches up when it ends', () => {
    const { store, calls, withModel, stop } = setup();
    store.setState({ settings: withModel(), status: status('listening') });
    store.setState({ settings: defaultSettings() });
    expect(calls).toEqual([]);
    store.setState({ status: status('idle') });
    expect(calls).toEqual([]); // no model by now: nothing to warm, nothing was opened by us
    store.setState({ settings: withModel('usb-mic') });
    expect(calls).toEqual(['warm usb-mic']);
    stop();
    store.setState({ settings: defaultSettings() });
    expect(calls).toEqual(['warm usb-mic']);
  });

  it('does not close the microphone while start-on-speech streams it (demo model, no model chosen), but once disarmed', () => {
    const { store, calls, withModel } = setup();
    const armed: DictationStatus = { ...status('idle'), handsFree: { available: true, reason: null, armed: true } };
    store.setState({ settings: withModel(), status: armed });
    expect(calls).toEqual(['warm null']);
    store.setState({ settings: defaultSettings() }); // the model cleared: the controller falls back to the demo and stays armed
    expect(calls).toEqual(['warm null']); // releasing would end the armed stream: the VAD (and the next dictation) would hear nothing
    store.setState({ status: status('idle') }); // disarmed
    expect(calls).toEqual(['warm null', 'release']);
  });

  it('tries again after a refused warm-up', async () => {
    const { store, withModel } = setup();
    let attempts = 0;
    const refusing = { warm: async () => { attempts += 1; throw new Error('NotAllowedError'); }, release: async () => undefined };
    keepMicrophoneWarm(store as unknown as AppStore, refusing);
    store.setState({ settings: withModel() });
    await Promise.resolve();
    await Promise.resolve();
    store.setState({ settings: { ...withModel(), showOverlay: false } });
    expect(attempts).toBe(2);
  });
});
