// Reading audio files: how long resampling and decoding take per second of audio (the wait before
// a file's transcription starts). Prints one line per case; `docs/benchmarks.md` has the command.
//   npx esbuild test/native/audio-bench.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/audio-bench.mjs && node dist/bench/audio-bench.mjs
import path from 'node:path';
import { readAudioFile } from '../../native-models/js/audio/read-audio-file.js';
import { resample } from '../../native-models/js/audio/resample.js';
import { StreamingResampler } from '../../native-models/js/audio/streaming-resampler.js';

const SECONDS = 20;
const best = async (run: () => unknown, times = 3) => {
  let fastest = Infinity;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - t);
  }
  return fastest;
};

for (const rate of [44_100, 48_000, 22_050, 44_057]) {
  const x = Float32Array.from({ length: rate * SECONDS }, (_, i) => Math.sin(i * 0.01) + 0.1 * Math.sin(i * 1.3));
  const whole = await best(() => resample(x, rate, 16_000));
  const streamed = await best(() => {
    const r = new StreamingResampler(rate, 16_000);
    for (let i = 0; i < x.length; i += 4096) r.process(x.subarray(i, i + 4096));
    r.flush();
  });
  console.log(`resample ${rate} Hz -> 16 kHz: whole file ${(whole / SECONDS).toFixed(1)} ms, streaming ${(streamed / SECONDS).toFixed(1)} ms per second of audio`);
}

const encoded = path.resolve('test/fixtures/audio/encoded');
for (const name of ['hello.mp3', 'hello.flac', 'hello-vorbis.ogg', 'hello.opus', 'hello.m4a']) {
  let seconds = 0;
  const ms = await best(async () => { seconds = (await readAudioFile(path.join(encoded, name))).samples.length / 16_000; });
  console.log(`read ${name} (decode + mono + 16 kHz): ${(ms / seconds).toFixed(1)} ms per second of audio`);
}
