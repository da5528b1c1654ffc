// Child process of native-corrupt-files.test.ts: hands each (pte, ptd) pair straight to the native
// addon (no TypeScript checks in between), runs a short session on whatever loads, and prints one
// JSON line per step. If the engine crashes, the parent sees the signal and the last "start" line.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const [addonPath, listFile] = process.argv.slice(2);
const addon = createRequire(import.meta.url)(addonPath);
const cases = JSON.parse(readFileSync(listFile, 'utf8'));
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

function peakRssBytes() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

for (let i = 0; i < cases.length; i++) {
  const { pte, ptd } = cases[i];
  say({ i, phase: 'start' });
  const t0 = performance.now();
  let model;
  try {
    model = await addon.loadModel({ pte, ptd, backend: 'cpu', dtype: 'fp32', threads: 1 });
  } catch (err) {
    say({ i, phase: 'end', loaded: false, code: err?.code ?? null, message: String(err?.message ?? err), ms: performance.now() - t0 });
    continue;
  }
  // It loaded: the weights may be garbage, but a session must still run (or fail) cleanly.
  const errors = [];
  let tokens = 0;
  try {
    const session = model.createSession((ids) => { tokens += ids.length; }, (e) => errors.push(String(e?.message ?? e)), {});
    const pcm = new Float32Array(16000);
    for (let k = 0; k < pcm.length; k++) pcm[k] = Math.sin(k * 0.05) * 0.3;
    session.push(pcm);
    const result = await session.flush();
    tokens = Math.max(tokens, result.tokens.length);
    session.close();
  } catch (err) {
    errors.push(`${err?.code ?? ''} ${String(err?.message ?? err)}`);
  }
  model.dispose();
  say({ i, phase: 'end', loaded: true, tokens, errors, ms: performance.now() - t0 });
}
say({ phase: 'done', peakRssBytes: peakRssBytes() });
