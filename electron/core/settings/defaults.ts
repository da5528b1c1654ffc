import type { Settings } from '../../common/ipc-contract';

/** What a fresh install uses; also the fallback for any section that fails validation. */
export function defaultSettings(): Settings {
  return {
    model: { pte: null, ptd: null },
    // The GPU where there is a usable one (the full model is too slow for live dictation on most
    // CPUs); bf16 activations, the model's own precision (4w on one H100: 2.3 ms a step against 5.5
    // in fp32, docs/benchmarks.md; on the CPU within the noise of fp32); kept loaded, so the next
    // dictation starts at once.
    engine: { backend: 'auto', dtype: 'bf16', threads: 0, gpu: null, unloadAfterMinutes: 0 },
    // Open between dictations: the first word is never cut, even on a slow Bluetooth microphone.
    microphone: { deviceId: null, keepOpen: 'always' },
    // Hold to talk, or tap to toggle: what most dictation apps converge on.
    hotkey: { accelerator: 'CommandOrControl+Shift+Space', mode: 'both', pasteLast: '' },
    insertion: { mode: 'paste', spaceBetween: true, perApp: [] },
    // Silence: 1.5 s, as issue #8 suggests; long enough for a breath between sentences.
    handsFree: { enabled: false, startOnSpeech: false, silenceMs: 1500, minSpeechMs: 250, threshold: 0.5 },
    // Recordings for a week: a dictation can be played back or transcribed again (after an engine
    // failure, or with a better model) without keeping every word ever said.
    history: { enabled: true, maxEntries: 5000, keepAudio: 'week' },
    replacements: { rules: [], words: [] },
    startAtLogin: false,
    showOverlay: true,
    // Off: the overlay shows the same, and a start tone can reach the microphone.
    playSounds: false,
    // On: a dictation app is installed once and forgotten; only the release feed is asked.
    checkForUpdates: true,
  };
}
