// @vitest-environment happy-dom
// The settings page's hands-free section against the real core and controller: it says why
// hands-free cannot work when the voice-activity model cannot load, and that the microphone is
// listening for speech while start-on-speech is armed.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCore } from '../../../electron/core/app/app-core';
import { DictationController } from '../../../electron/core/dictation';
import { findDemoModel } from '../../../electron/core/models/demo-model';
import { VoiceActivityService, type StreamingVadModel } from '../../../electron/core/vad';
import { App } from '../../../renderer/src/App';
import { createClient } from '../../../renderer/src/ipc/client';
import { connectStore, createAppStore } from '../../../renderer/src/stores/app-store';
import { StoreProvider } from '../../../renderer/src/stores/store-context';
import { inProcessApi } from '../../renderer/in-process-api';

let dir = '';
let core: AppCore | null = null;
let disconnect: (() => void) | null = null;

afterEach(async () => {
  cleanup();
  disconnect?.();
  await core?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A VAD model that never hears speech: enough to be 'available' and to arm. */
const quietModel: StreamingVadModel = {
  createStream: () => ({ run: async () => 0.01, reset: () => undefined, dispose: async () => undefined }),
  dispose: async () => undefined,
};

async function renderWith(vad: VoiceActivityService, handsFree: Record<string, unknown>) {
  dir = await mkdtemp(path.join(tmpdir(), 'vxd-hands-free-'));
  await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ handsFree: { enabled: true, silenceMs: 1500, minSpeechMs: 250, threshold: 0.5, ...handsFree } }));
  core = await AppCore.create({
    configDir: dir, log: () => undefined,
    createDictation: (deps) => new DictationController({ ...deps, vad, fallbackModel: findDemoModel }),
  });
  const client = createClient(inProcessApi(core), () => undefined);
  const store = createAppStore(client);
  disconnect = connectStore(store, client);
  render(<StoreProvider store={store}><App /></StoreProvider>);
  fireEvent.click(within(screen.getByRole('navigation', { name: 'Views' })).getByRole('button', { name: 'Settings' }));
  return store;
}

describe('settings: hands-free status', () => {
  it('says why hands-free is unavailable (the voice-activity model is missing), with a notice once', async () => {
    const store = await renderWith(new VoiceActivityService({ locate: () => null }), {});
    await waitFor(() => expect(screen.getByTestId('hands-free-status').textContent)
      .toMatch(/Hands-free is unavailable here, so dictation stops only when you stop it: voice activity model not found/));
    await waitFor(() => expect(store.getState().status.handsFree).toMatchObject({ available: false, armed: false }));
    // Whether the VAD load failed before or after the window took the startup notices, it shows once.
    await waitFor(() => expect(store.getState().notices.filter((n) => n.message.startsWith('Hands-free is unavailable'))).toHaveLength(1));
  });

  it('says the microphone is waiting for speech while start-on-speech is armed, and stops saying it when turned off', async () => {
    const vad = new VoiceActivityService({ locate: () => 'quiet', load: async () => quietModel });
    const store = await renderWith(vad, { startOnSpeech: true });
    await waitFor(() => expect(screen.getByTestId('hands-free-status').textContent).toMatch(/Waiting for speech/));
    expect(store.getState().status.handsFree).toEqual({ available: true, reason: null, armed: true });
    fireEvent.click(screen.getByRole('checkbox', { name: /Start when I start speaking/ }));
    await waitFor(() => expect(screen.queryByTestId('hands-free-status')).toBeNull());
    expect(core!.dictation.status().handsFree?.armed).toBe(false);
  });
});
