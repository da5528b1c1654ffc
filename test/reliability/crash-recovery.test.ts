/**
 * The app process killed mid-dictation (SIGKILL: what a native crash or an OOM kill looks like): the
 * words decoded so far must be in History when the app starts again, marked interrupted, the user
 * told in plain words, with the recording of what was said up to the crash (its header repaired,
 * so it plays), and the next dictation must work.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { AppCore } from '../../electron/core/app/app-core';
import { DictationController } from '../../electron/core/dictation/dictation-controller';
import { parseWav } from '../../native-models/js/audio/wav';
import { ADDON_RELATIVE_PATH } from '../../native-models/js/engine';
import { framesOf, packTinyModel, SPEECH_WAV, speechSamples, type TinyModel } from '../unit/dictation/tiny-model';

const repoRoot = path.resolve(__dirname, '..', '..');
let tiny: TinyModel;
let scratch: string;

beforeAll(async () => {
  tiny = packTinyModel();
  scratch = await mkdtemp(path.join(tmpdir(), 'vxd-crash-'));
});
afterAll(async () => {
  tiny?.remove();
  await rm(scratch, { recursive: true, force: true });
});

it('SIGKILL mid-dictation: the words are in History on restart, marked interrupted, the user is told, the next dictation works', async () => {
  const childJs = path.join(scratch, 'dictation-child.cjs');
  await build({
    entryPoints: [path.join(__dirname, 'dictation-child.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: childJs,
    logLevel: 'silent', packages: 'external',
  });
  const configDir = path.join(scratch, 'config');
  const child = spawn(process.execPath, [childJs, configDir, tiny.pte, tiny.ptd, path.join(repoRoot, SPEECH_WAV)], {
    cwd: repoRoot,
    env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules'), VXD_ADDON_PATH: path.join(repoRoot, ADDON_RELATIVE_PATH) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { err += String(d); });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal)));
  const lastText = () => {
    const lines = out.split('\n').filter((l) => l.startsWith('{'));
    return lines.length ? (JSON.parse(lines.at(-1)!) as { text: string }).text : '';
  };
  await vi.waitFor(() => expect(lastText().trim().length, err).toBeGreaterThan(20), { timeout: 60_000, interval: 50 });
  // History coalesces live updates to one write per 500 ms: give it a write, then kill mid-stream.
  await new Promise((r) => setTimeout(r, 1200));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const onDisk = JSON.parse(readFileSync(path.join(configDir, 'history.json'), 'utf8')) as { entries: { id: string; text: string; status: string }[] };
  expect(onDisk.entries).toHaveLength(1);
  const recording = path.join(configDir, 'recordings', `${onDisk.entries[0].id}.wav`);
  const recordedBytes = statSync(recording).size;
  expect(recordedBytes).toBeGreaterThan(44 + 2 * 16000); // more than a second of audio reached the disk
  const kept = onDisk.entries[0].text;
  expect(kept.trim().length).toBeGreaterThan(20);
  expect(lastText().startsWith(kept)).toBe(true); // what was written is what the user had seen (or a prefix)

  const core = await AppCore.create({ configDir, createDictation: (deps) => new DictationController({ ...deps, vad: null }) });
  try {
    const notices = await core.call('takePendingNotices', undefined);
    expect(notices).toMatchObject({ ok: true, value: [{ kind: 'history-recovered', message: expect.stringMatching(/interrupted when the app closed; the text decoded so far is in History/) }] });
    expect(await core.call('listHistory', { offset: 0, limit: 5 })).toMatchObject({ ok: true, value: { entries: [{ text: kept, status: 'interrupted', audio: true }] } });
    // The recording plays: its header was brought up to the samples the crash left on disk.
    const wav = parseWav(readFileSync(core.recordingFile(onDisk.entries[0].id)!));
    expect(wav).toMatchObject({ sampleRate: 16000, channels: 1, encoding: 'pcm16' });
    expect(wav.channelData[0].length).toBe(Math.floor((recordedBytes - 44) / 2));
    // The next dictation: the model from the settings the killed process saved.
    expect(core.settings.get().model).toEqual({ pte: tiny.pte, ptd: tiny.ptd });
    expect(await core.call('startDictation', undefined)).toMatchObject({ ok: true });
    framesOf(speechSamples()).forEach((samples, seq) => core.acceptAudio({ type: 'frame', seq, samples }));
    const stopped = await core.call('stopDictation', undefined);
    expect(stopped).toMatchObject({ ok: true, value: { historyId: expect.any(String) } });
    expect((stopped as { value: { text: string } }).value.text.trim().length).toBeGreaterThan(0);
    console.info(`[reliability] crash mid-dictation: SIGKILL after ${lastText().length} characters shown, ${kept.length} kept in History and reported on restart; next dictation saved`);
  } finally {
    await core.close();
  }
}, 120_000);
