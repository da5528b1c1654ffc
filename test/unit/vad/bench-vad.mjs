// Per-frame cost of voice activity detection: Silero v6 on onnxruntime-node (CPU EP, 1 thread) behind
// the VoiceActivityMonitor, on 80 ms frames of espeak-ng speech and room noise.
// Run: node test/unit/vad/bench-vad.mjs [seconds-of-audio=60]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const outDir = path.join(root, 'node_modules', '.cache', 'vad-bench'); // so `onnxruntime-node` resolves
mkdirSync(outDir, { recursive: true });
const outfile = path.join(outDir, 'vad.cjs');
await build({
  entryPoints: [path.join(root, 'electron/core/vad/index.ts')], outfile, bundle: true, platform: 'node',
  format: 'cjs', target: 'node20', external: ['onnxruntime-node'], logLevel: 'error',
});
const vad = createRequire(import.meta.url)(outfile);

const seconds = Number(process.argv[2] ?? 60);
const tmp = mkdtempSync(path.join(tmpdir(), 'vad-bench-'));
const RAW = ['-t', 'raw', '-e', 'floating-point', '-b', '32', '-r', '16000', '-c', '1'];
const f32 = (file) => { const b = readFileSync(file); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
execFileSync('espeak-ng', ['-v', 'en-us', '-w', path.join(tmp, 's.wav'),
  'The quarterly numbers are in. Please review them before the meeting on Thursday, and send me your notes.']);
execFileSync('sox', [path.join(tmp, 's.wav'), ...RAW, path.join(tmp, 's.f32')]);
execFileSync('sox', ['-n', ...RAW, path.join(tmp, 'n.f32'), 'synth', '2', 'pinknoise', 'vol', '0.003']);
const unit = [f32(path.join(tmp, 's.f32')), f32(path.join(tmp, 'n.f32'))];
const unitLen = unit[0].length + unit[1].length;
const pcm = new Float32Array(Math.ceil((seconds * 16000) / unitLen) * unitLen);
for (let at = 0; at < pcm.length; at += unitLen) { pcm.set(unit[0], at); pcm.set(unit[1], at + unit[0].length); }
rmSync(tmp, { recursive: true, force: true });

let t = performance.now();
const model = await vad.loadSileroModel(vad.findSileroModel());
const loadMs = performance.now() - t;

const costs = [];
let stops = 0;
const config = { silenceMs: 1500, minSpeechMs: 250, threshold: 0.5 };
const monitor = new vad.VoiceActivityMonitor({
  mode: 'indicator', config, analyzer: new vad.VoiceActivityDetector(model.createStream(), 0.5),
  forward: () => {}, onEvent: (e) => { if (e.type === 'stop') stops++; },
});
for (let i = 0; i < pcm.length; i += 1280) {
  const frame = pcm.slice(i, i + 1280);
  t = performance.now();
  monitor.push(frame);
  await monitor.whenIdle();
  costs.push(performance.now() - t);
}
await model.dispose();

const warm = costs.slice(10).sort((a, b) => a - b);
const q = (p) => warm[Math.min(warm.length - 1, Math.floor(p * warm.length))];
const mean = warm.reduce((s, x) => s + x, 0) / warm.length;
console.log(`cpu: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), node ${process.version}`);
console.log(`model load: ${loadMs.toFixed(1)} ms`);
console.log(`frames: ${costs.length} x 80 ms (${(costs.length * 0.08).toFixed(1)} s of audio), first frame ${costs[0].toFixed(2)} ms`);
console.log(`per frame (push + analysis, 2.5 windows): mean ${mean.toFixed(3)} ms, p50 ${q(0.5).toFixed(3)}, p99 ${q(0.99).toFixed(3)}, max ${warm.at(-1).toFixed(3)}`);
console.log(`per 512-sample window: ${(mean / 2.5).toFixed(3)} ms; real-time share of one core: ${((mean / 80) * 100).toFixed(2)} %`);
