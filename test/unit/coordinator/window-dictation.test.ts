// The hotkey while a dictation started in the window runs: it must stop that dictation (users expect
// the hotkey to stop whatever is listening), keep its text in the window, and insert nothing into
// another app. Real pieces: the DictationController on the native engine with the embedded demo
// model, dictationPortFrom, DictateAnywhere's coordinator and inserter (the command runner is a fake
// that records what would have reached other apps).

import { describe, expect, it } from 'vitest';
import type { FinalTranscript, Settings } from '../../../electron/common/ipc-contract';
import { DictateAnywhere, dictationPortFrom, type DictateAnywhereSettings } from '../../../electron/core/coordinator';
import { DictationController } from '../../../electron/core/dictation';
import type { RawKeyEvent } from '../../../electron/core/hotkey';
import { findDemoModel } from '../../../electron/core/models/demo-model';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { AudioWorkshop, concat, frames } from '../vad/speech-audio';
import { FakeRunner } from '../insertion/fakes';

const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0)); };

describe('the hotkey during a window dictation', () => {
  for (const mode of ['hold', 'toggle', 'both'] as const) {
    it(`${mode}: stops it, keeps its text in the window, inserts nothing`, async () => {
      const settings: Settings = defaultSettings();
      settings.engine = { backend: 'cpu', dtype: 'fp32', threads: 0, gpu: null, unloadAfterMinutes: 0 };
      const controller = new DictationController({ settings: () => settings, vad: null, fallbackModel: findDemoModel });
      const finals: FinalTranscript[] = [];
      controller.onEvent((e) => { if (e.name === 'final') finals.push(e.payload); });
      let listener: ((e: RawKeyEvent) => void) | null = null;
      const runner = new FakeRunner();
      const deskSettings: DictateAnywhereSettings = { hotkey: { accelerator: 'F9', mode }, insertion: { mode: 'clipboard' } };
      const desk = await DictateAnywhere.start({
        port: dictationPortFrom(controller), settings: () => deskSettings, runner, platform: 'linux', env: { DISPLAY: ':9' },
        probe: async () => ({ ok: true, reason: null }),
        loadHook: async () => ({ start: (l) => { listener = l; }, stop: () => { listener = null; } }),
      });
      const audio = new AudioWorkshop();
      try {
        // The window's Start button, then speech from the microphone.
        await controller.start();
        const pcm = concat([audio.silence(0.3), audio.speech('Can you check the new invoice tomorrow?', 'en', 175), audio.silence(0.5)]);
        frames(pcm).forEach((f, seq) => controller.pushAudio(f, seq));

        listener!({ type: 'down', key: 'F9', modifiers: new Set() });
        listener!({ type: 'up', key: 'F9', modifiers: new Set() });
        controller.endAudio(); // the renderer stops capturing on 'finishing'
        await expect.poll(() => controller.status().state, { timeout: 30_000 }).toBe('idle');
        await settle();

        expect(finals).toHaveLength(1);
        expect(finals[0].text.toLowerCase()).toContain('invoice'); // the window's text, kept
        expect(desk.coordinator.snapshot()).toMatchObject({ state: 'idle', error: null, notice: expect.stringMatching(/started in the window/) });
        expect(runner.detached).toEqual([]); // nothing went to another app
        expect(runner.served).toEqual([]);
        expect(runner.runs.filter((r) => r.file === 'xclip' || r.file === 'xdotool')).toEqual([]);
      } finally {
        desk.dispose();
        await controller.dispose();
        audio.cleanup();
      }
    }, 60_000);
  }
});
