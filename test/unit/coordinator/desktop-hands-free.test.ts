// Desktop wiring of hands-free (electron/main/desktop.ts, with the electron module faked): the
// overlay shows while start-on-speech is armed (the microphone is live), and speech heard while
// armed starts a latched hotkey dictation through the coordinator.
import { describe, expect, it, vi } from 'vitest';
import type { DictationStatus } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import { ScriptedDictation } from '../app/scripted-dictation';
import { FakeBrowserWindow } from '../app/fake-electron';
import { useTempDirs } from '../app/temp-dir';

const h = vi.hoisted(() => ({ fake: null as unknown }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('../app/fake-electron');
  const fake = createFakeElectron(() => '/unused');
  h.fake = fake;
  return fake.module;
});
const { Desktop } = await import('../../../electron/main/desktop');
const tempDir = useTempDirs();

/** A dictation service that is armed or not as the test says, and records start(). */
class ArmedDictation extends ScriptedDictation {
  startHandler: (() => boolean) | null = null;
  override current: DictationStatus = { state: 'idle', since: 0, sessionId: null, source: null, error: null, handsFree: { available: true, reason: null, armed: false } };
  override async start() { this.starts++; this.set({ state: 'listening', armed: false }); return this.current; }
  setVoiceStopHandler() {}
  setVoiceStartHandler(handler: (() => boolean) | null) { this.startHandler = handler; }
  set({ state, armed }: { state: DictationStatus['state']; armed: boolean }) {
    this.emitState({ ...this.current, state, handsFree: { available: true, reason: null, armed } });
  }
}

const overlayWindow = () => FakeBrowserWindow.created.find((w) => w.loadedUrl === 'app://voxtral/overlay/index.html' && !w.destroyed);

describe('desktop: hands-free', () => {
  it('shows the overlay while armed, starts a hotkey dictation on speech, and hides when disarmed', async () => {
    const dictation = new ArmedDictation();
    const core = await AppCore.create({ configDir: await tempDir(), createDictation: () => dictation, log: () => undefined });
    const desktop = await Desktop.start({ core, preloadPath: '/p/preload.cjs', showWindow: () => undefined, quit: () => undefined, log: () => undefined });
    expect(overlayWindow()?.visible ?? false).toBe(false);

    dictation.set({ state: 'idle', armed: true });
    await expect.poll(() => overlayWindow()?.visible).toBe(true);

    // The VAD heard speech: the desktop's handler takes it and the coordinator starts a dictation.
    expect(dictation.startHandler?.()).toBe(true);
    await expect.poll(() => dictation.starts).toBe(1);
    expect(desktop.dictateAnywhere?.coordinator.snapshot()).toMatchObject({ latched: true });
    // A second onset while that one runs is refused (the service re-arms instead).
    expect(dictation.startHandler?.()).toBe(false);

    desktop.dictateAnywhere?.coordinator.cancel();
    dictation.set({ state: 'idle', armed: false }); // start-on-speech turned off
    await expect.poll(() => overlayWindow()?.visible).toBe(false);
    // Armed again, but the user does not want the overlay.
    await core.settings.update({ showOverlay: false });
    dictation.set({ state: 'idle', armed: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(overlayWindow()?.visible).toBe(false);
    desktop.dispose();
    expect(dictation.startHandler).toBeNull();
  });
});
