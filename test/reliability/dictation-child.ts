// Child process of crash-recovery.test.ts (bundled by esbuild at test time): the real AppCore and
// dictation controller on the real engine, dictating a clip over and over without ever stopping,
// printing the text each time a partial arrives, until the parent kills the process.
import { AppCore } from '../../electron/core/app/app-core';
import { DictationController } from '../../electron/core/dictation/dictation-controller';
import { readWavFile } from '../../native-models/js/audio/load-audio';

async function main(): Promise<void> {
  const [configDir, pte, ptd, wav] = process.argv.slice(2);
  const core = await AppCore.create({ configDir, createDictation: (deps) => new DictationController({ ...deps, vad: null }) });
  core.onEvent((e) => {
    if (e.name === 'partial') process.stdout.write(`${JSON.stringify({ text: e.payload.text })}\n`);
  });
  await core.call('updateSettings', { model: { pte, ptd }, engine: { backend: 'cpu', dtype: 'fp32', threads: 1 } });
  const started = await core.call('startDictation', undefined);
  if (!started.ok) throw new Error(started.error.message);
  const clip = readWavFile(wav).samples;
  for (let seq = 0; ; seq++) {
    const at = (seq * 1280) % (clip.length - 1280);
    core.acceptAudio({ type: 'frame', seq, samples: clip.slice(at, at + 1280) });
    await new Promise((r) => setTimeout(r, 20)); // 4x real time: the engine keeps up, partials flow
  }
}

main().catch((err) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
