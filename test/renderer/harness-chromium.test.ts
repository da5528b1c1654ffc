// End to end in a real browser: the built renderer, served by the harness, in Debian Chromium,
// talking to a real AppCore over the loopback bridge.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DictationStatus, FinalTranscript } from '../../electron/common/ipc-contract';
import { parseWav } from '../../native-models/js/audio/wav';
import type { DictationEvent } from '../../electron/core/app/services';
import { UnavailableDictationService } from '../../electron/core/app/unavailable-services';
import { DictationController } from '../../electron/core/dictation/dictation-controller';
import { findDemoModel } from '../../electron/core/models/demo-model';
import { framesOf, speechSamples } from '../unit/dictation/tiny-model';
import { startHarness, type Harness } from '../../electron/harness/server';

const repo = path.resolve(import.meta.dirname, '..', '..');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
];

/** A dictation service that streams what the test says, through the same events an engine would. */
class StreamingDictation extends UnavailableDictationService {
  private listener: (event: DictationEvent) => void = () => undefined;
  private text = '';
  private current: DictationStatus = { state: 'idle', since: Date.now(), sessionId: null, source: null, error: null };
  constructor() { super(() => { throw new Error('unused'); }); }
  override status() { return this.current; }
  override onEvent(listener: (event: DictationEvent) => void) { this.listener = listener; return () => undefined; }
  override async start() {
    this.text = '';
    this.setState('listening');
    return this.current;
  }
  override async stop() {
    this.setState('finishing');
    const final = { sessionId: 'live-1', text: this.text, source: 'mic' as const, durationMs: 4200, historyId: null, jobId: null };
    this.listener({ name: 'final', payload: final });
    this.setState('idle');
    return final;
  }
  say(words: string) {
    const appended = this.text ? ` ${words}` : words;
    this.text += appended;
    this.listener({ name: 'partial', payload: { sessionId: 'live-1', appended, text: this.text, tokenIds: [] } });
  }
  private setState(state: DictationStatus['state']) {
    this.current = { state, since: Date.now(), sessionId: 'live-1', source: 'mic', error: null };
    this.listener({ name: 'state', payload: this.current });
  }
}

/**
 * File transcription as the engine does it (state, progress, partials, final), reading the WAV at
 * the path it is given: the transcript says what it found there, so the test sees that the bytes
 * dropped in the page are what the core read. It holds at half way until the test lets it finish.
 */
class FileDictation extends UnavailableDictationService {
  readonly paths: string[] = [];
  readonly bytes: Buffer[] = [];
  private listener: (event: DictationEvent) => void = () => undefined;
  private current: DictationStatus = { state: 'idle', since: Date.now(), sessionId: null, source: null, error: null };
  private finish: () => void = () => undefined;
  constructor() { super(() => { throw new Error('unused'); }); }
  override status() { return this.current; }
  override onEvent(listener: (event: DictationEvent) => void) { this.listener = listener; return () => undefined; }
  release() { this.finish(); }
  // Optional only because the base class takes no path; AppCore always passes one.
  override async transcribeFile(file?: string) {
    if (!file) throw new Error('no path');
    const bytes = await readFile(file);
    const wav = parseWav(bytes);
    this.paths.push(file);
    this.bytes.push(bytes);
    const jobId = `job-${this.paths.length}`;
    const sessionId = `file-${this.paths.length}`;
    const seconds = (wav.channelData[0].length / wav.sampleRate).toFixed(2);
    const finished = new Promise<void>((resolve) => { this.finish = resolve; });
    void (async () => {
      this.setState('listening', sessionId);
      const first = `Heard ${seconds} s`;
      this.listener({ name: 'progress', payload: { stage: 'transcribing-file', fraction: 0.5, jobId } });
      this.listener({ name: 'partial', payload: { sessionId, appended: first, text: first, tokenIds: [] } });
      await finished;
      const text = `${first} at ${wav.sampleRate} Hz.`;
      this.listener({ name: 'partial', payload: { sessionId, appended: ` at ${wav.sampleRate} Hz.`, text, tokenIds: [] } });
      this.listener({ name: 'progress', payload: { stage: 'transcribing-file', fraction: 1, jobId } });
      this.listener({ name: 'final', payload: { sessionId, text, source: 'file', durationMs: 1500, historyId: null, jobId } });
      this.setState('idle', sessionId);
    })();
    return { jobId };
  }
  private setState(state: DictationStatus['state'], sessionId: string) {
    this.current = { state, since: Date.now(), sessionId, source: 'file', error: null };
    this.listener({ name: 'state', payload: this.current });
  }
}

/**
 * Drags files over the transcript and drops them, as the desktop would: real DragEvents carrying a
 * DataTransfer of Files made in the page (a WAV of `seconds` of tone, or text). `drop: false` stops
 * after dragenter so the highlight can be seen.
 */
function dragFiles(target: Page, files: { name: string; wavSeconds?: number }[], drop = true) {
  return target.getByTestId('transcript').evaluate((element, { files, drop }) => {
    const wav = (seconds: number) => {
      const rate = 16_000;
      const n = Math.round(seconds * rate);
      const view = new DataView(new ArrayBuffer(44 + n * 2));
      const text = (at: number, s: string) => { for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); };
      text(0, 'RIFF'); view.setUint32(4, 36 + n * 2, true); text(8, 'WAVE'); text(12, 'fmt ');
      view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true); view.setUint32(24, rate, true);
      view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true); text(36, 'data'); view.setUint32(40, n * 2, true);
      for (let i = 0; i < n; i++) view.setInt16(44 + i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), true);
      return view.buffer;
    };
    const data = new DataTransfer();
    for (const f of files) data.items.add(new File([f.wavSeconds ? wav(f.wavSeconds) : 'not audio'], f.name));
    const fire = (type: string) => element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
    fire('dragenter');
    fire('dragover');
    if (drop) fire('drop');
  }, { files, drop });
}

let scratch = '';
let configDir = '';
let harness: Harness;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'vxd-chromium-'));
  configDir = path.join(scratch, 'config');
  const rendererDir = path.join(scratch, 'renderer');
  await build({ configFile: path.join(repo, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  harness = await startHarness({ rendererDir, configDir, log: () => undefined });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(harness.url);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await rm(scratch, { recursive: true, force: true });
});

const openView = (name: 'Dictate' | 'History' | 'Settings') =>
  page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name }).click();

async function readSettingsFile() {
  return JSON.parse(await readFile(path.join(configDir, 'settings.json'), 'utf8'));
}

describe('renderer in Chromium through the harness', () => {
  it('loads under the strict CSP with no errors and says no model is loaded', async () => {
    await expect.poll(() => page.getByTestId('dictation-state').textContent()).toBe('Ready');
    await expect.poll(() => page.getByTestId('no-model').isVisible()).toBe(true);
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'));
    expect(csp).toContain("script-src 'self'");
    expect(problems).toEqual([]);
  });

  it('changes a setting in the Settings view, which reaches the core and survives a reload', async () => {
    await openView('Settings');
    const typeLive = page.getByRole('radio', { name: /Type live/ });
    expect(await typeLive.isChecked()).toBe(false);
    await typeLive.check();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('Saved');
    await expect.poll(async () => (await readSettingsFile()).insertion.mode).toBe('type');
    expect(harness.core.settings.get().insertion.mode).toBe('type');

    await page.getByLabel('Model program (.pte)').fill('/models/voxtral-mini.pte');
    await page.getByLabel('Model program (.pte)').press('Enter');
    await expect.poll(async () => (await readSettingsFile()).model.pte).toBe('/models/voxtral-mini.pte');

    await page.reload();
    await openView('Settings');
    await expect.poll(() => page.getByRole('radio', { name: /Type live/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('Model program (.pte)').inputValue()).toBe('/models/voxtral-mini.pte');
  });

  it('shows settings changed elsewhere (by the core) without a reload', async () => {
    await openView('Settings');
    await harness.core.call('updateSettings', { insertion: { mode: 'clipboard' } });
    await expect.poll(() => page.getByRole('radio', { name: /Clipboard only/ }).isChecked()).toBe(true);
  });

  it('reports the core’s error when dictation cannot start', async () => {
    await openView('Dictate');
    await page.getByRole('button', { name: 'Start dictation' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No model loaded');
    expect(await page.getByTestId('dictation-state').textContent()).toBe('Ready');
  });

  it('lists, searches and deletes history kept by the core', async () => {
    const meta = { model: 'voxtral-mini.pte', backend: 'cpu', dtype: 'fp32', source: 'mic' } as const;
    await harness.core.history.add({ ...meta, text: 'remember to water the plants', durationMs: 2100 });
    const kept = await harness.core.history.add({ ...meta, text: 'the meeting moved to Thursday', durationMs: 3400 });
    await openView('History');
    await expect.poll(() => page.getByTestId('history-entry').count()).toBe(2);
    await page.getByLabel('Search transcripts').fill('plants');
    await expect.poll(() => page.getByTestId('history-entry').count()).toBe(1);
    await page.getByTestId('history-entry').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByTestId('history-entry').count()).toBe(0);
    await page.getByLabel('Search transcripts').fill('');
    await expect.poll(() => page.getByTestId('history-entry').allTextContents()).toEqual([expect.stringContaining('meeting moved to Thursday')]);
    expect(harness.core.history.list(0, 10).entries.map((e) => e.id)).toEqual([kept.id]);
  });

  it('carries audio frames from the page’s frame port to the core’s dictation service', async () => {
    const received: { seq: number; length: number; first: number }[] = [];
    let ended = 0;
    const dictation = new UnavailableDictationService(() => harness.core.settings.get());
    dictation.pushAudio = (samples, seq) => { received.push({ seq, length: samples.length, first: samples[0] }); };
    dictation.endAudio = () => { ended++; };
    const audioHarness = await startHarness({
      rendererDir: path.join(scratch, 'renderer'), configDir: path.join(scratch, 'audio-config'), log: () => undefined,
      createDictation: () => dictation,
    });
    const audioPage = await browser.newPage();
    try {
      await audioPage.goto(audioHarness.url);
      await audioPage.evaluate(async () => {
        const port = await new Promise<MessagePort>((resolve) => {
          window.addEventListener('message', (e) => { if (e.data?.type === 'voxtral:audio-port') resolve(e.ports[0]); });
          window.voxtral!.requestAudioPort();
        });
        for (let i = 0; i < 3; i++) {
          const frame = new Float32Array(1280).fill(i / 10);
          port.postMessage({ type: 'frame', seq: i, samples: frame }, [frame.buffer]);
        }
        port.postMessage({ type: 'frame', seq: 3, samples: 'not audio' });
        port.postMessage({ type: 'end' });
      });
      await expect.poll(() => ended).toBe(1);
      expect(received).toEqual([0, 1, 2].map((i) => ({ seq: i, length: 1280, first: Math.fround(i / 10) })));
    } finally {
      await audioPage.close();
      await audioHarness.close();
    }
  });

  it('runs a dictation end to end: live transcript pinned to its end, stop, saved to history', async () => {
    const dictation = new StreamingDictation();
    const liveHarness = await startHarness({
      rendererDir: path.join(scratch, 'renderer'), configDir: path.join(scratch, 'live-config'), log: () => undefined,
      createDictation: () => dictation,
    });
    const livePage = await browser.newPage({ viewport: { width: 900, height: 600 } });
    try {
      await livePage.goto(liveHarness.url);
      await livePage.getByRole('button', { name: 'Start dictation' }).click();
      await expect.poll(() => livePage.getByTestId('dictation-state').textContent()).toBe('Listening');
      for (let i = 1; i <= 60; i++) dictation.say(`sentence number ${i} of a long dictation.`);
      await expect.poll(() => livePage.getByTestId('transcript').textContent()).toContain('sentence number 60');
      const scroll = () => livePage.getByTestId('transcript').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      await expect.poll(scroll).toBeLessThan(2); // the newest words are in view
      expect(await livePage.getByTestId('transcript').evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);

      await livePage.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => livePage.getByTestId('dictation-state').textContent()).toBe('Ready');
      const entries = liveHarness.core.history.list(0, 10).entries;
      expect(entries).toEqual([expect.objectContaining({ status: 'done', text: expect.stringMatching(/^sentence number 1 .*sentence number 60 of a long dictation\.$/) })]);
      await livePage.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'History' }).click();
      await expect.poll(() => livePage.getByTestId('history-entry').count()).toBe(1);
    } finally {
      await livePage.close();
      await liveHarness.close();
    }
  });

  it('transcribes audio files dropped on the transcript: highlight, progress and transcript, several in turn', async () => {
    const dictation = new FileDictation();
    const dropHarness = await startHarness({
      rendererDir: path.join(scratch, 'renderer'), configDir: path.join(scratch, 'drop-config'), log: () => undefined,
      createDictation: () => dictation,
    });
    const dropPage = await browser.newPage({ viewport: { width: 900, height: 640 } });
    const dropProblems: string[] = [];
    dropPage.on('pageerror', (e) => dropProblems.push(e.message));
    try {
      await dropPage.goto(dropHarness.url);
      await expect.poll(() => dropPage.getByTestId('dictation-state').textContent()).toBe('Ready');
      // Dragging files over the transcript highlights it; leaving takes the highlight away.
      await dragFiles(dropPage, [{ name: 'speech.wav', wavSeconds: 1.5 }], false);
      await expect.poll(() => dropPage.getByTestId('drop-overlay').textContent()).toBe('Drop audio files to transcribe them');
      const screenshot = (name: string) => process.env.VXD_SCREENSHOTS && dropPage.screenshot({ path: path.join(repo, 'docs', 'screenshots', name) });
      await screenshot('dictation-drop.png');
      await dropPage.getByTestId('transcript').evaluate((el) => el.dispatchEvent(new DragEvent('dragleave', { bubbles: true, dataTransfer: (() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'x.wav')); return d; })() })));
      await expect.poll(() => dropPage.getByTestId('drop-overlay').count()).toBe(0);

      // Not audio, or several at once: a clear message, nothing reaches the core.
      await dragFiles(dropPage, [{ name: 'notes.txt' }]);
      await expect.poll(() => dropPage.getByRole('alert').textContent()).toBe('Only audio files (WAV, MP3, FLAC, Ogg, Opus, M4A…) can be transcribed; “notes.txt” is not one.');
      expect(await dropPage.getByTestId('drop-overlay').count()).toBe(0);
      expect(dictation.paths).toEqual([]);

      // One WAV: the core reads the very bytes dropped; progress and the transcript show while it runs.
      await dragFiles(dropPage, [{ name: 'speech.wav', wavSeconds: 1.5 }]);
      await expect.poll(() => dropPage.getByTestId('file-job').textContent()).toContain('Transcribing speech.wav…');
      expect(await dropPage.getByRole('alert').count()).toBe(0);
      const progress = dropPage.getByRole('progressbar', { name: 'transcribing-file' });
      await expect.poll(() => progress.getAttribute('value')).toBe('0.5');
      await expect.poll(() => dropPage.getByTestId('transcript').textContent()).toBe('Heard 1.50 s');
      expect(await dropPage.getByTestId('dictation-state').textContent()).toBe('Transcribing file…');
      expect(await dropPage.getByTestId('level-meter').count()).toBe(0); // nothing is heard: no microphone level
      expect(await dropPage.getByRole('button', { name: 'Stop' }).count()).toBe(0);
      expect(dictation.paths).toHaveLength(1);
      await screenshot('dictation-file.png');
      expect(path.basename(dictation.paths[0])).toMatch(/speech\.wav$/);
      expect(parseWav(dictation.bytes[0]).channelData[0].length).toBe(24_000);

      dictation.release();
      await expect.poll(() => dropPage.getByTestId('transcript').textContent()).toBe('Heard 1.50 s at 16000 Hz.');
      await expect.poll(() => dropPage.getByTestId('file-job').count()).toBe(0);
      expect(await progress.count()).toBe(0);
      await expect.poll(() => dropPage.getByRole('status').textContent()).toContain('“speech.wav” was transcribed; the text is in History.');
      expect(dropHarness.core.history.list(0, 10).entries).toEqual([expect.objectContaining({ source: 'file', status: 'done', text: 'Heard 1.50 s at 16000 Hz.' })]);

      // Several at once: the audio ones are transcribed one after another, what is not audio is named.
      await dragFiles(dropPage, [{ name: 'a.wav', wavSeconds: 0.5 }, { name: 'notes.txt' }, { name: 'b.wav', wavSeconds: 0.25 }]);
      await expect.poll(() => dropPage.getByRole('status').textContent())
        .toContain('“notes.txt” is not an audio file (WAV, MP3, FLAC, Ogg, Opus, M4A…). The other files are transcribed in turn.');
      await expect.poll(() => dropPage.getByTestId('file-job').textContent()).toContain('Transcribing a.wav… (1 more waiting)');
      dictation.release();
      await expect.poll(() => dropPage.getByTestId('file-job').textContent()).toContain('Transcribing b.wav…');
      expect(await dropPage.getByTestId('file-job').textContent()).not.toContain('waiting');
      dictation.release();
      await expect.poll(() => dropPage.getByTestId('file-job').count()).toBe(0);
      expect(dictation.paths.map((p) => path.basename(p))).toEqual(['speech.wav', 'a.wav', 'b.wav']);
      await expect.poll(() => dropHarness.core.history.list(0, 10).entries.map((e) => e.text))
        .toEqual(['Heard 0.25 s at 16000 Hz.', 'Heard 0.50 s at 16000 Hz.', 'Heard 1.50 s at 16000 Hz.']);
      expect(dropProblems).toEqual([]);
    } finally {
      await dropPage.close();
      await dropHarness.close();
    }
  });

  it('plays a dictation\'s recording from History and transcribes it again into the same entry (demo model)', async () => {
    if (!findDemoModel()) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
    const recHarness = await startHarness({
      rendererDir: path.join(scratch, 'renderer'), configDir: path.join(scratch, 'recordings-config'), log: () => undefined,
      createDictation: (deps) => new DictationController({ ...deps, vad: null, fallbackModel: findDemoModel }),
    });
    const recPage = await browser.newPage({ viewport: { width: 900, height: 520 } });
    const pageProblems: string[] = [];
    recPage.on('pageerror', (e) => pageProblems.push(e.message));
    try {
      const { core } = recHarness;
      await core.call('updateSettings', { engine: { backend: 'cpu', dtype: 'fp32' } });
      // A dictation, driven from the core's side (the page's microphone is not what this is about).
      await core.call('startDictation', undefined);
      framesOf(speechSamples()).forEach((samples, seq) => core.acceptAudio({ type: 'frame', seq, samples }));
      core.acceptAudio({ type: 'end' });
      const result = await core.call('stopDictation', undefined);
      const stopped = result.ok ? (result.value as FinalTranscript | null) : null;
      if (!stopped) throw new Error('the dictation did not finish');
      const entryId = stopped.historyId!;
      await core.history.finish(entryId, { text: 'an old transcript to be replaced', durationMs: 3000 });

      await recPage.goto(recHarness.url);
      await recPage.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'History' }).click();
      const entry = recPage.getByTestId('history-entry');
      await expect.poll(() => entry.count()).toBe(1);
      // The player loads the recording the core kept (3 s of speech), nothing before it is played.
      const player = entry.locator('audio');
      expect(await player.getAttribute('preload')).toBe('none');
      const duration = await player.evaluate((el: HTMLAudioElement) => new Promise<number>((resolve, reject) => {
        el.onloadedmetadata = () => resolve(el.duration);
        el.onerror = () => reject(new Error(`audio error ${el.error?.code}`));
        el.preload = 'metadata';
        el.load();
      }));
      expect(duration).toBeCloseTo(speechSamples().length / 16000, 2);
      if (process.env.VXD_SCREENSHOTS) await recPage.screenshot({ path: path.join(repo, 'docs', 'screenshots', 'history-recording.png') });

      await entry.getByRole('button', { name: 'Transcribe again' }).click();
      // The job shows on the Dictate view; when done, the entry holds the new text.
      await expect.poll(() => recPage.getByRole('status').textContent(), { timeout: 30_000 })
        .toContain('The recording was transcribed again; its History entry has the new text.');
      expect(core.history.list(0, 10).entries).toEqual([expect.objectContaining({ id: entryId, text: stopped.text })]);
      await recPage.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'History' }).click();
      await expect.poll(() => entry.locator('.history-text').textContent()).toBe(stopped.text);
      expect(pageProblems).toEqual([]);
    } finally {
      await recPage.close();
      await recHarness.close();
    }
  }, 60_000);

  it('refuses a WebSocket from another origin', async () => {
    const other = await browser.newPage();
    await other.goto('about:blank');
    const opened = await other.evaluate((url) => new Promise<boolean>((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(true);
      ws.onerror = () => resolve(false);
    }), harness.url.replace('http', 'ws') + '__harness/ws');
    expect(opened).toBe(false);
    await other.close();
  });
});
