// keepMicrophoneWarm: the microphone is open exactly while dictation is possible (a model chosen),
// follows the chosen device, and is left alone while a dictation owns it.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { DictationStatus, Settings } from '../../../electron/common/ipc-contract';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { KEEP_OPEN_AFTER_USE_MS, keepMicrophoneWarm } from '../../../renderer/src/audio/keep-warm';
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
  const withModel = (deviceId: string | null = null, keepOpen: Settings['microphone']['keepOpen'] = 'always'): Settings => {
    const s = defaultSettings();
    s.model = { pte: '/m/model.pte', ptd: null };
    s.microphone = { deviceId, keepOpen };
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

  it("'dictating': never opened between dictations, closed when one ends, so the system's mic indicator goes off", () => {
    const { store, calls, withModel } = setup();
    store.setState({ settings: withModel(null, 'dictating') });
    expect(calls).toEqual([]);
    store.setState({ status: status('loading') });
    store.setState({ status: status('listening') });
    store.setState({ status: status('finishing') });
    expect(calls).toEqual([]); // the dictation owns it
    store.setState({ status: status('idle') });
    expect(calls).toEqual(['release']);
    store.setState({ settings: withModel('usb-mic', 'dictating') }); // a device chosen while closed: stays closed
    expect(calls).toEqual(['release']);
    store.setState({ settings: withModel('usb-mic', 'always') }); // and back: open again at once
    expect(calls).toEqual(['release', 'warm usb-mic']);
    store.setState({ settings: withModel('usb-mic', 'dictating') });
    expect(calls).toEqual(['release', 'warm usb-mic', 'release']);
  });

  it("'dictating': start-on-speech's stream stays open while armed, and closes once disarmed", () => {
    const { store, calls, withModel } = setup();
    const armed: DictationStatus = { ...status('idle'), handsFree: { available: true, reason: null, armed: true } };
    store.setState({ settings: withModel(null, 'dictating'), status: armed });
    store.setState({ status: status('listening') });
    store.setState({ status: armed }); // the dictation it started ended: armed again
    expect(calls).toEqual([]);
    store.setState({ status: status('idle') });
    expect(calls).toEqual(['release']);
  });

  describe("'minute'", () => {
    afterEach(() => { vi.useRealTimers(); });

    it('keeps the microphone open for a minute after each dictation, the minute starting again with the next', () => {
      vi.useFakeTimers();
      const { store, calls, withModel } = setup();
      store.setState({ settings: withModel(null, 'minute') });
      expect(calls).toEqual([]); // not opened before the first dictation
      store.setState({ status: status('listening') });
      store.setState({ status: status('idle') });
      expect(calls).toEqual(['warm null']); // held open (it is open already: the dictation's device)
      vi.advanceTimersByTime(KEEP_OPEN_AFTER_USE_MS - 1000);
      expect(calls).toEqual(['warm null']);
      store.setState({ status: status('listening') }); // the next dictation within the minute
      vi.advanceTimersByTime(5000);
      store.setState({ status: status('idle') });
      vi.advanceTimersByTime(KEEP_OPEN_AFTER_USE_MS - 1000);
      expect(calls).toEqual(['warm null']); // its minute counts from its own end
      store.setState({ settings: withModel('usb-mic', 'minute') }); // a device chosen meanwhile is followed
      expect(calls).toEqual(['warm null', 'warm usb-mic']);
      vi.advanceTimersByTime(1000);
      expect(calls).toEqual(['warm null', 'warm usb-mic', 'release']);
      vi.advanceTimersByTime(10 * KEEP_OPEN_AFTER_USE_MS);
      expect(calls).toEqual(['warm null', 'warm usb-mic', 'release']);
    });
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
