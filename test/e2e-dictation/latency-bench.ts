// Live dictation latency, printed as figures (no thresholds; docs/benchmarks.md "Live dictation" has
// the command): for each token that adds text, the time from the audio frame that made the token
// possible leaving the renderer (FramePort.postFrame) to the token's text in the DOM, and how much
// of that is beyond the engine's own step time. Same setup as the e2e test: Chromium fake mic
// (espeak-ng), AudioWorklet, harness bridge, real AppCore + native engine on CPU (tiny model).
//
// Which frame makes token j possible (spec §6): the prefill needs 49960 padded samples = 40960 of
// left pad + 9000 of audio; each later token 1280 more. With 1280-sample frames, frame 7 + j.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFloatWav } from './audio-compare';
import { pageTokenIds, receivedSampleCount, repo, run, startLiveSession } from './live-session';

const RUNS = Number(process.argv[2] ?? 3);
const PREFILL_AUDIO_SAMPLES = 49_960 - 40_960;
const FRAME = 1280;
const frameEnabling = (token: number) => Math.ceil((PREFILL_AUDIO_SAMPLES + FRAME * token) / FRAME) - 1;

interface PageTrace {
  sent: number[];
  partials: { at: number; tokens: number; textLength: number }[];
  renders: { at: number; textLength: number }[];
}

/** In the page, before the app: timestamps of frames posted, partials received, transcript renders. */
function instrument(): void {
  const trace = { sent: [] as number[], partials: [] as PageTrace['partials'], renders: [] as PageTrace['renders'] };
  (window as unknown as { trace: typeof trace }).trace = trace;
  const now = () => performance.timeOrigin + performance.now();
  const post = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, ...rest: unknown[]) {
    const m = message as { type?: string; seq?: number } | null;
    if (m?.type === 'frame' && typeof m.seq === 'number') trace.sent[m.seq] = now();
    return (post as (...a: unknown[]) => void).call(this, message, ...rest);
  } as typeof MessagePort.prototype.postMessage;
  let tokens = 0;
  const hook = () => {
    const api = (window as unknown as { voxtral?: { on: { partial(l: (p: { tokenIds: number[]; text: string }) => void): void } } }).voxtral;
    const box = document.querySelector('[data-testid="transcript"]');
    if (!api || !box) return void setTimeout(hook, 20);
    api.on.partial((p) => {
      tokens += p.tokenIds.length;
      trace.partials.push({ at: now(), tokens, textLength: p.text.length });
    });
    new MutationObserver(() => trace.renders.push({ at: now(), textLength: box.textContent?.length ?? 0 }))
      .observe(box, { childList: true, subtree: true, characterData: true });
  };
  hook();
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (n=${values.length})`;
}

async function once(runIndex: number): Promise<void> {
  const live = await startLiveSession({ spoken: 'Testing the time from a spoken word to its text on the screen, one token at a time.', leadingSilenceS: 2, initScript: instrument });
  try {
    const { page } = live;
    await page.getByTestId('dictation-state').filter({ hasText: 'Ready' }).waitFor();
    await page.getByRole('button', { name: 'Start dictation' }).click();
    const fileSamples = Math.round(Number((await run('soxi', ['-D', live.speechWav])).stdout.trim()) * 16_000);
    while (receivedSampleCount(live.received) < fileSamples + 8000) await new Promise((r) => setTimeout(r, 100));
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByTestId('dictation-state').filter({ hasText: 'Ready' }).waitFor();
    const trace = await page.evaluate(() => (window as unknown as { trace: PageTrace }).trace);

    // The engine's own step time on this audio (the CLI's figure for the same samples).
    const heard = Float32Array.from(live.received.flatMap((f) => [...f]));
    const heardWav = path.join(live.scratch, 'heard.wav');
    writeFileSync(heardWav, writeFloatWav(heard, 16_000));
    const cli = JSON.parse((await run('npx', ['voxtral', 'transcribe', '--json', '--model', live.tiny.pte, heardWav], { cwd: repo })).stdout) as { msPerStep: number; tokens: number[] };
    const ids = await pageTokenIds(page);
    if (ids.join() !== cli.tokens.join()) throw new Error('the page did not receive the CLI tokens; figures would be meaningless');

    const toPage: number[] = [];
    const toScreen: number[] = [];
    let earliest = Infinity;
    let previousText = 0;
    for (const p of trace.partials) {
      const sentAt = trace.sent[frameEnabling(p.tokens - 1)];
      if (sentAt === undefined) continue; // a token of the flush (stop), not of live audio
      earliest = Math.min(earliest, p.at - sentAt);
      if (p.textLength === previousText) continue; // pads: nothing to render
      previousText = p.textLength;
      const render = trace.renders.find((r) => r.at >= p.at && r.textLength >= p.textLength);
      toPage.push(p.at - sentAt);
      if (render) toScreen.push(render.at - sentAt);
    }
    console.log(`run ${runIndex}: engine ${cli.msPerStep.toFixed(1)} ms/step (tiny model); ${trace.sent.length} frames, ${ids.length} tokens`);
    console.log(`  frame sent → partial in the page: ${stats(toPage)} (earliest of all tokens ${earliest.toFixed(1)} ms: > 0 confirms the frame↔token mapping)`);
    console.log(`  frame sent → text in the DOM:     ${stats(toScreen)}`);
    const beyond = toScreen.map((v) => v - cli.msPerStep);
    console.log(`  beyond the engine step:           ${stats(beyond)}`);
  } finally {
    await live.close();
  }
}

for (let i = 1; i <= RUNS; i++) await once(i);
